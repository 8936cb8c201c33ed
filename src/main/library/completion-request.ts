import type { Db } from '../db/open.ts';
import { LibraryError } from './errors.ts';
import { getKnowledgeBase } from './knowledge.ts';
import { getPromptOrThrow, PromptVersionInputSchema } from './prompts.ts';
import { LIBRARY_LIMITS } from './rules.ts';
import { missingVariables, missingVariablesError, renderTemplate } from './template.ts';

/** Everything a model adapter needs for one completion; nothing about the model is hard-coded in code. */
export interface CompletionRequest {
  model: string;
  system: string;
  user: string;
  maxTokens: number;
  /** null: not sent (recent Claude API versions reject sampling parameters). */
  temperature: number | null;
  /** Slug and version of the prompt used: a step puts them in its input hash, so a new version re-runs it. */
  promptSlug: string;
  promptVersion: number;
}

/** What a completion sends of a prompt's row, checked as the Library checks it when a version is saved. */
const SENT_FIELDS = PromptVersionInputSchema.pick({ model: true, maxTokens: true, temperature: true });

/** The variable the knowledge base is injected as; callers may not supply it themselves. */
export const KNOWLEDGE_VARIABLE = 'knowledge';

/**
 * Renders the active version of prompt `slug`: its knowledge-base tiers become {{knowledge}}, then the
 * system prompt and user template are rendered strictly with the caller's variables. A missing variable
 * in either text is one error listing all of them.
 */
export function buildCompletionRequest(
  db: Db,
  slug: string,
  variables: Record<string, string>,
): CompletionRequest {
  if (Object.hasOwn(variables, KNOWLEDGE_VARIABLE)) {
    throw new LibraryError(
      'invalid',
      `"${KNOWLEDGE_VARIABLE}" is filled from the prompt's knowledge-base tiers and cannot be passed in`,
      [{ field: KNOWLEDGE_VARIABLE, message: 'reserved variable' }],
    );
  }
  const prompt = getPromptOrThrow(db, slug);
  const all = { ...variables, [KNOWLEDGE_VARIABLE]: getKnowledgeBase(db, prompt.kbTiers) };
  const missing = [
    ...new Set([
      ...missingVariables(prompt.systemPrompt, all),
      ...missingVariables(prompt.userTemplate, all),
    ]),
  ];
  if (missing.length > 0) throw missingVariablesError(`prompt "${slug}" v${prompt.version}`, missing);
  // Checked as it is read too, with the shape a saved version has: a row edited by hand sent
  // 100,000,000 tokens to the API (the attempt's budget, a time per token, overflowed the timer), an
  // empty model, a 5 MB one, and a temperature of 1e308.
  const { model, maxTokens, temperature } = prompt;
  const sent = SENT_FIELDS.safeParse({ model, maxTokens, temperature });
  if (!sent.success) {
    const issue = sent.error.issues[0];
    const field = String(issue?.path[0] ?? 'row');
    const shown = JSON.stringify(prompt[field as keyof typeof prompt] ?? null).slice(0, 40);
    throw new LibraryError(
      'invalid',
      `prompt "${slug}" v${prompt.version}: ${issue?.message ?? 'invalid'}, not ${shown}`,
      [{ field, message: issue?.message ?? 'invalid' }],
    );
  }
  return {
    model: prompt.model,
    system: renderTemplate(prompt.systemPrompt, all, LIBRARY_LIMITS.maxRenderedLength),
    user: renderTemplate(prompt.userTemplate, all, LIBRARY_LIMITS.maxRenderedLength),
    maxTokens: prompt.maxTokens,
    temperature: prompt.temperature,
    promptSlug: prompt.slug,
    promptVersion: prompt.version,
  };
}

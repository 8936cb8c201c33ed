import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { StepError } from '../engine/errors.ts';
import type { HashContext, StepHandler } from '../engine/step-handler.ts';
import { buildCompletionRequest, LibraryError } from '../library/index.ts';
import { LlmError, stepErrorKindForLlm } from '../llm/errors.ts';
import { writeScript } from '../llm/script-writer.ts';
import { formatDiagnostic, parseScriptText } from '../script/index.ts';
import { checkSpokenLength } from '../speech/spoken-length.ts';
import { jobMediaPlaces } from './media-places.ts';
import { WRITTEN_SCRIPT_NAME } from './script-step.ts';
import type { PipelineServices } from './services.ts';

const WRITER_VERSION = 'script-writer/1';

/**
 * Title + brief → a script written by Claude with the prompt named by the step (`with.prompt`), all of
 * whose settings come from the database. The script must pass the validator (one repair round).
 */
export function writeScriptStep(db: Db, services: PipelineServices): StepHandler {
  const request = ({ settings, step }: HashContext) => {
    const input = settings.input;
    if (input.kind !== 'brief')
      throw new StepError('invalid-input', 'this recipe writes its script: give a title and a brief');
    const slug = (step.with?.prompt as string | undefined) ?? 'script.writer';
    try {
      return buildCompletionRequest(db, slug, { title: input.title, brief: input.brief });
    } catch (error) {
      if (error instanceof LibraryError)
        throw new StepError('invalid-input', error.message, { cause: error });
      throw error;
    }
  };
  return {
    kind: 'script.write',
    // The prompt it writes with, by slug; the seeded one by default.
    options: z.strictObject({ prompt: z.string().min(1).optional() }),
    version: () => WRITER_VERSION,
    // The whole request — model, system, rendered user text, knowledge, max tokens, temperature — so any
    // edit to the prompt or the knowledge base re-runs the writing and everything after it.
    config: (ctx) => ({
      request: request(ctx),
      directionMap: ctx.settings.voice.directionMap,
      // Media roots decide which [image] paths pass the validation; absent (not []) when there are
      // none, so the hash of every earlier written script stays the same and Claude is not called again.
      mediaRoots: ctx.settings.media?.roots.length ? ctx.settings.media.roots : undefined,
    }),
    async run(ctx) {
      const generator = await services.textGenerator();
      if (!generator) {
        throw new StepError(
          'fatal',
          'Claude is not configured: set ANTHROPIC_API_KEY (or add the key in Settings)',
        );
      }
      const { promptSlug, promptVersion, temperature, ...completion } = request(ctx);
      const options = {
        directionMap: ctx.settings.voice.directionMap,
        language: ctx.settings.voice.language,
        // A written script has no folder: its media can only come from a media root.
        media: jobMediaPlaces(ctx.settings, services.dataDir),
      };
      const validate = (text: string): string[] => {
        const result = parseScriptText(text, WRITTEN_SCRIPT_NAME, options);
        if (!result.ok) return result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
        // The script step's length check too, so the repair round hears of it: found there, after this
        // step was done, it failed the job for good (the script kept by its hash, Claude never asked).
        const { problem } = checkSpokenLength(result.document, ctx.settings.voice);
        return problem ? [formatDiagnostic(problem)] : [];
      };
      try {
        const written = await writeScript({
          generator,
          request: { ...completion, ...(temperature === null ? {} : { temperature }) },
          validate,
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(Math.min(0.95, p.outputTokens / Math.max(1, completion.maxTokens))),
        });
        const path = join(ctx.workDir, 'script.md');
        await writeFile(path, written.text);
        if (written.repaired) ctx.warn('Claude’s first script had problems; the repaired version was used');
        return {
          files: { script: { path, type: 'script-source' } },
          data: { prompt: promptSlug, promptVersion },
          metrics: {
            ...written.usage,
            attempts: written.attempts,
            repaired: written.repaired,
            model: completion.model,
          },
        };
      } catch (error) {
        if (!(error instanceof LlmError)) throw error;
        let message = error.message;
        if (error.script !== undefined) {
          // Its problems are placed in it (written-script.md:3:5): it is kept where they can be read.
          await mkdir(ctx.keptDir, { recursive: true });
          const kept = join(ctx.keptDir, WRITTEN_SCRIPT_NAME);
          await writeFile(kept, error.script);
          message += `\nClaude's script is kept at ${kept} (for an hour at least: vfo gc then frees it)`;
        }
        const metrics = error.spent && {
          ...error.spent,
          attempts: error.attempts ?? 1,
          model: completion.model,
        };
        throw new StepError(stepErrorKindForLlm(error), message, { cause: error, metrics });
      }
    },
  };
}

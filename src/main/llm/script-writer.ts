/**
 * Asks a TextGenerator for a script, checks it with the caller's validator, and gives the model one
 * chance to repair what the validator found. The product prompt arrives already rendered; only the
 * repair turn's wording lives here, because it is protocol (how we report errors back), not product.
 */
import { shorten } from '../../shared/text.ts';
import { createLogger } from '../log/logger.ts';
import { LlmError } from './errors.ts';
import type {
  CompletionRequest,
  CompletionResult,
  GenerationProgress,
  TextGenerator,
  TokenUsage,
} from './types.ts';

const log = createLogger('ScriptWriter');

export interface WriteScriptInput {
  generator: TextGenerator;
  request: CompletionRequest;
  /** Located error messages (e.g. "script.md:3:5: unknown direction [foo]"); empty when the script is valid. */
  validate: (text: string) => string[];
  signal?: AbortSignal;
  /** Progress of the current call; a repair round starts again from zero characters. */
  onProgress?: (progress: GenerationProgress) => void;
}

export interface WrittenScript {
  text: string;
  /** Summed over every call made. */
  usage: TokenUsage;
  attempts: 1 | 2;
  repaired: boolean;
}

export async function writeScript(input: WriteScriptInput): Promise<WrittenScript> {
  const { generator, request, validate, signal, onProgress } = input;
  // What the answers so far cost: a failure after one of them still says it (the step keeps it).
  let spent: TokenUsage | undefined;
  const complete = async (asked: CompletionRequest): Promise<CompletionResult> => {
    const result = await generator.complete(asked, { signal, onProgress }).catch((error: unknown) => {
      throw error instanceof LlmError ? error.withSpent(spent) : error;
    });
    spent = spent ? addUsage(spent, result.usage) : result.usage;
    return finished(result, spent);
  };

  const first = await complete(request);
  const firstText = stripMarkdownFence(first.text);
  const firstProblems = problemsOf(first, firstText, request, validate);
  if (firstProblems.length === 0) {
    return { text: firstText, usage: first.usage, attempts: 1, repaired: false };
  }

  log.info('Script had problems; asking for a repair', { problems: firstProblems.length });
  const repairRequest: CompletionRequest = {
    ...request,
    user: repairMessage(request.user, firstText, firstProblems),
  };
  const second = await complete(repairRequest);
  const secondText = stripMarkdownFence(second.text);
  const secondProblems = problemsOf(second, secondText, request, validate);
  const usage = addUsage(first.usage, second.usage);
  if (secondProblems.length === 0) {
    return { text: secondText, usage, attempts: 2, repaired: true };
  }
  throw new LlmError(
    'invalid-script',
    `The written script is still invalid after one repair round:\n${secondProblems.join('\n')}`,
    { problems: secondProblems, attempts: 2, spent: usage, script: secondText },
  );
}

/**
 * Removes one fence wrapping the whole answer (```markdown ... ``` or bare ```), which models add
 * even when asked not to. Fences inside the script are left alone.
 */
export function stripMarkdownFence(text: string): string {
  const match = /^\s*```[\w-]*[ \t]*\r?\n([\s\S]*?)\r?\n```[ \t]*\s*$/.exec(text);
  return match ? `${match[1]}\n` : text;
}

/** The repair turn: the original brief, the script as written, and what is wrong with it. */
export function repairMessage(originalUser: string, previousScript: string, problems: string[]): string {
  return [
    originalUser,
    '',
    '---',
    'You answered the request above with the script below, but the script checker found these problems:',
    '',
    ...problems.map((problem) => `- ${problem}`),
    '',
    '<previous_script>',
    previousScript,
    '</previous_script>',
    '',
    'Write the corrected script in full, fixing every problem listed.',
    'Reply with the script only: no explanations and no code fence around it.',
  ].join('\n');
}

/**
 * Stops after which an answer is a script: the end of its turn, or the token limit (a problem the
 * repair round is told of). Any other (a refusal, a paused turn, a tool call) is no script, however
 * well its words parse: "I cannot help with that request." was narrated and captioned as the video.
 * A generator that says no stop reason is taken at its word.
 */
const SCRIPT_STOPS = new Set(['end_turn', 'stop_sequence', 'max_tokens']);

function finished(result: CompletionResult, spent: TokenUsage): CompletionResult {
  if (result.stopReason === null || SCRIPT_STOPS.has(result.stopReason)) return result;
  throw new LlmError(
    'bad-response',
    `Claude did not write a script: it stopped with "${shorten(result.stopReason, 40)}", saying "${shorten(result.text.trim(), 200)}"`,
    { spent },
  );
}

/** Validator messages, plus one of ours when the answer was cut off (a truncated script can parse fine). */
function problemsOf(
  result: CompletionResult,
  text: string,
  request: CompletionRequest,
  validate: (text: string) => string[],
): string[] {
  const problems = [...validate(text)];
  if (result.stopReason === 'max_tokens') {
    problems.push(
      `The script is incomplete: the answer was cut off at the limit of ${request.maxTokens} tokens. Write a shorter script.`,
    );
  }
  return problems;
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
}

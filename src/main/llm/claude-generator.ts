/**
 * A TextGenerator backed by Claude through @anthropic-ai/sdk: one streamed Messages request per
 * attempt, our own bounded retries around it (the SDK's are off), every failure a typed LlmError.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages';
import { classifyClaudeError } from './classify.ts';
import { readClaudeStream } from './claude-stream.ts';
import { LlmError } from './errors.ts';
import { abortableSleep, cancelledError, type Sleep, withRetries } from './retry.ts';
import { createSdkLogger, redactSecret } from './sdk-logger.ts';
import type { CompleteOptions, CompletionRequest, CompletionResult, TextGenerator } from './types.ts';

export interface ClaudeGeneratorOptions {
  apiKey: string;
  /** Defaults to the SDK's own (api.anthropic.com, or ANTHROPIC_BASE_URL). */
  baseURL?: string;
  /** Requests per completion, the first included (default 4). */
  maxAttempts?: number;
  /** How retries wait; inject a fast one in tests. */
  sleep?: Sleep;
  /**
   * Longest silence allowed, both before the reply starts and between two streamed events, before the
   * attempt counts as a dropped connection (default 3 minutes).
   */
  timeoutMs?: number;
}

const DEFAULT_MAX_ATTEMPTS = 4;
const DEFAULT_TIMEOUT_MS = 180_000;
/**
 * An attempt's whole budget, beyond the silence allowed before the reply starts: this long per token
 * it may produce (25 tokens a second; Claude streams several times faster). A stream that keeps sending
 * pings or a character now and then no longer runs for ever.
 */
const MS_PER_TOKEN = 40;
/** Characters a token may stand for, at most: far above any real reply, below a hostile one. */
const CHARS_PER_TOKEN = 32;

/** The longest an attempt may take, all told. */
export function attemptBudgetMs(timeoutMs: number, maxTokens: number): number {
  // A timer of more than 2^31-1 ms fires at once.
  return Math.min(2 ** 31 - 1, timeoutMs + maxTokens * MS_PER_TOKEN);
}

export function createClaudeGenerator(options: ClaudeGeneratorOptions): TextGenerator {
  const apiKey = options.apiKey.trim();
  if (apiKey === '') throw new LlmError('auth', 'No Claude API key is set.');
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a whole number of at least 1, got ${maxAttempts}`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = options.sleep ?? abortableSleep;
  const client = new Anthropic({
    apiKey,
    baseURL: options.baseURL,
    maxRetries: 0,
    timeout: timeoutMs,
    // A fixed level: ANTHROPIC_LOG=debug in someone's shell must not start dumping requests.
    logLevel: 'warn',
    logger: createSdkLogger(apiKey),
  });

  const attemptOnce = async (
    request: CompletionRequest,
    opts: CompleteOptions,
  ): Promise<CompletionResult> => {
    const attempt = new AbortController();
    const stopWithUser = (): void => attempt.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', stopWithUser, { once: true });
    const watchdog = startWatchdog(timeoutMs, () => attempt.abort(new Error('idle timeout')));
    const budgetMs = attemptBudgetMs(timeoutMs, request.maxTokens);
    let overBudget = false;
    const deadline = setTimeout(() => {
      overBudget = true;
      attempt.abort(new Error('over budget'));
    }, budgetMs);
    try {
      const stream = await client.messages.create(toMessageParams(request), { signal: attempt.signal });
      const result = await readClaudeStream(stream, request.model, {
        onEvent: watchdog.reset,
        onProgress: opts.onProgress,
        maxChars: request.maxTokens * CHARS_PER_TOKEN + 4096,
      });
      // The SDK ends an aborted stream quietly, so a cut-short answer must be caught here.
      if (attempt.signal.aborted) throw attempt.signal.reason;
      return result;
    } catch (error) {
      if (opts.signal?.aborted) throw cancelledError(error);
      if (overBudget) {
        const seconds = Math.round(budgetMs / 1000);
        // Not attempted again: an answer kept alive a character at a time costs a whole budget (and a
        // paid request) each time; four of them held a job 23 minutes.
        throw new LlmError(
          'bad-response',
          `Claude's answer took more than ${seconds} s (the most ${request.maxTokens} tokens may take); it was given up.`,
          { cause: error },
        );
      }
      if (watchdog.fired) {
        const seconds = Math.round(timeoutMs / 100) / 10;
        throw new LlmError('network', `Claude sent nothing for ${seconds} s; the connection was given up.`, {
          cause: error,
        });
      }
      throw classifyClaudeError(error, apiKey);
    } finally {
      clearTimeout(deadline);
      watchdog.stop();
      opts.signal?.removeEventListener('abort', stopWithUser);
    }
  };

  return {
    id: 'claude',
    complete: async (request, opts = {}) => {
      try {
        return await withRetries(() => attemptOnce(request, opts), {
          maxAttempts,
          sleep,
          signal: opts.signal,
        });
      } catch (error) {
        throw error instanceof LlmError ? redactSecret(error, apiKey) : error;
      }
    },
  };
}

/** Everything comes from the request. Optional fields are sent only when they say something. */
function toMessageParams(request: CompletionRequest): MessageCreateParamsStreaming {
  const params: MessageCreateParamsStreaming & { temperature?: number } = {
    model: request.model,
    max_tokens: request.maxTokens,
    messages: [{ role: 'user', content: request.user }],
    stream: true,
  };
  if (request.system !== '') params.system = request.system;
  if (request.temperature !== undefined) params.temperature = request.temperature;
  return params;
}

interface Watchdog {
  reset: () => void;
  stop: () => void;
  readonly fired: boolean;
}

/** Fires `onIdle` when `ms` pass without a reset. */
function startWatchdog(ms: number, onIdle: () => void): Watchdog {
  let fired = false;
  const fire = (): void => {
    fired = true;
    onIdle();
  };
  let timer = setTimeout(fire, ms);
  return {
    reset: () => {
      clearTimeout(timer);
      timer = setTimeout(fire, ms);
    },
    stop: () => clearTimeout(timer),
    get fired() {
      return fired;
    },
  };
}

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
    try {
      const stream = await client.messages.create(toMessageParams(request), { signal: attempt.signal });
      const result = await readClaudeStream(stream, request.model, {
        onEvent: watchdog.reset,
        onProgress: opts.onProgress,
      });
      // The SDK ends an aborted stream quietly, so a cut-short answer must be caught here.
      if (attempt.signal.aborted) throw attempt.signal.reason;
      return result;
    } catch (error) {
      if (opts.signal?.aborted) throw cancelledError(error);
      if (watchdog.fired) {
        const seconds = Math.round(timeoutMs / 100) / 10;
        throw new LlmError('network', `Claude sent nothing for ${seconds} s; the connection was given up.`, {
          cause: error,
        });
      }
      throw classifyClaudeError(error);
    } finally {
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

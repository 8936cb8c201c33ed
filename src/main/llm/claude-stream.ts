/**
 * Folds Claude's streamed events into one CompletionResult, reporting progress as text arrives.
 * Token usage comes from the stream itself: input tokens in message_start, the cumulative output
 * count in message_delta.
 */
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { createLogger } from '../log/logger.ts';
import { LlmError } from './errors.ts';
import type { CompletionResult, GenerationProgress } from './types.ts';

const log = createLogger('ClaudeStream');

/**
 * The parts of the three events read here, checked: the SDK types the stream but does not check it,
 * and a reply with a missing message or a token count of "lots" came through as a TypeError (retried
 * as a dropped connection, twelve times) or as text in the job's token counts.
 */
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const EVENT_SCHEMAS = {
  message_start: z.object({
    message: z.object({
      model: z.string().max(200).nullish(),
      usage: z.object({
        input_tokens: count,
        output_tokens: count,
        cache_creation_input_tokens: count.nullish(),
        cache_read_input_tokens: count.nullish(),
      }),
    }),
  }),
  content_block_delta: z.object({ delta: z.object({ type: z.string(), text: z.string().optional() }) }),
  message_delta: z.object({
    delta: z.object({ stop_reason: z.string().max(100).nullish() }),
    usage: z.object({ output_tokens: count }),
  }),
};

function checked<K extends keyof typeof EVENT_SCHEMAS>(
  type: K,
  event: unknown,
): z.infer<(typeof EVENT_SCHEMAS)[K]> {
  const parsed = EVENT_SCHEMAS[type].safeParse(event);
  if (parsed.success) return parsed.data as z.infer<(typeof EVENT_SCHEMAS)[K]>;
  const where = parsed.error.issues[0]?.path.join('.') || type;
  throw new LlmError('bad-response', `Claude sent a broken ${type} event (${where}).`);
}

export interface StreamWatch {
  /** Called for every event, before it is handled (the idle watchdog resets here). */
  onEvent?: () => void;
  onProgress?: (progress: GenerationProgress) => void;
  /** The longest reply taken: past it the stream is given up (its text would be refused anyway). */
  maxChars?: number;
}

export async function readClaudeStream(
  events: AsyncIterable<RawMessageStreamEvent>,
  requestedModel: string,
  watch: StreamWatch = {},
): Promise<CompletionResult> {
  let text = '';
  let model = requestedModel;
  let stopReason: string | null = null;
  let inputTokens = 0;
  let outputTokens = 0;
  let sawMessageStart = false;
  const maxChars = watch.maxChars ?? Number.POSITIVE_INFINITY;

  const report = (): void => reportProgress(watch.onProgress, { outputTokens, characters: text.length });

  for await (const event of events) {
    watch.onEvent?.();
    switch (event.type) {
      case 'message_start': {
        sawMessageStart = true;
        const { message } = checked('message_start', event);
        model = message.model || requestedModel;
        const usage = message.usage;
        // Cached prompt tokens are still input tokens the user pays for.
        inputTokens =
          usage.input_tokens +
          (usage.cache_creation_input_tokens ?? 0) +
          (usage.cache_read_input_tokens ?? 0);
        outputTokens = usage.output_tokens;
        break;
      }
      case 'content_block_delta': {
        const { delta } = checked('content_block_delta', event);
        if (delta.type === 'text_delta' && delta.text !== undefined) {
          text += delta.text;
          if (text.length > maxChars) {
            throw new LlmError(
              'bad-response',
              `Claude's reply passed ${maxChars} characters, more than its token limit allows; it was given up.`,
            );
          }
          report();
        }
        break;
      }
      case 'message_delta': {
        const { delta, usage } = checked('message_delta', event);
        stopReason = delta.stop_reason ?? stopReason;
        outputTokens = usage.output_tokens;
        report();
        break;
      }
      default:
        break;
    }
  }

  if (!sawMessageStart) {
    throw new LlmError('bad-response', 'Claude sent a reply without a message: the stream was empty.');
  }
  if (text.trim() === '') {
    throw new LlmError(
      'bad-response',
      `Claude's reply contained no text (stop reason: ${stopReason ?? 'none'}).`,
    );
  }
  return { text, model, stopReason, usage: { inputTokens, outputTokens } };
}

/** Progress is advisory: a failing listener must not fail (or retry) the generation. */
function reportProgress(
  listener: ((progress: GenerationProgress) => void) | undefined,
  progress: GenerationProgress,
): void {
  if (!listener) return;
  try {
    listener(progress);
  } catch (error) {
    log.warn('A progress listener threw; ignoring it', { error: String(error) });
  }
}

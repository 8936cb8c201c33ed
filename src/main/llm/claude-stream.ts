/**
 * Folds Claude's streamed events into one CompletionResult, reporting progress as text arrives.
 * Token usage comes from the stream itself: input tokens in message_start, the cumulative output
 * count in message_delta.
 */
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { createLogger } from '../log/logger.ts';
import { LlmError } from './errors.ts';
import type { CompletionResult, GenerationProgress } from './types.ts';

const log = createLogger('ClaudeStream');

export interface StreamWatch {
  /** Called for every event, before it is handled (the idle watchdog resets here). */
  onEvent?: () => void;
  onProgress?: (progress: GenerationProgress) => void;
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

  const report = (): void => reportProgress(watch.onProgress, { outputTokens, characters: text.length });

  for await (const event of events) {
    watch.onEvent?.();
    switch (event.type) {
      case 'message_start': {
        sawMessageStart = true;
        model = event.message.model || requestedModel;
        const usage = event.message.usage;
        // Cached prompt tokens are still input tokens the user pays for.
        inputTokens =
          usage.input_tokens +
          (usage.cache_creation_input_tokens ?? 0) +
          (usage.cache_read_input_tokens ?? 0);
        outputTokens = usage.output_tokens;
        break;
      }
      case 'content_block_delta':
        if (event.delta.type === 'text_delta') {
          text += event.delta.text;
          report();
        }
        break;
      case 'message_delta':
        stopReason = event.delta.stop_reason ?? stopReason;
        outputTokens = event.usage.output_tokens;
        report();
        break;
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

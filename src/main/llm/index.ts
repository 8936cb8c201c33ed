/** Writing scripts with a language model: the TextGenerator port, its Claude adapter, the writer. */
export { type ClaudeGeneratorOptions, createClaudeGenerator } from './claude-generator.ts';
export { isRetryableLlmError, LlmError, type LlmErrorKind, stepErrorKindForLlm } from './errors.ts';
export { abortableSleep, MAX_RETRY_WAIT_MS, type Sleep } from './retry.ts';
export {
  stripMarkdownFence,
  type WriteScriptInput,
  type WrittenScript,
  writeScript,
} from './script-writer.ts';
export type {
  CompleteOptions,
  CompletionRequest,
  CompletionResult,
  GenerationProgress,
  TextGenerator,
  TokenUsage,
} from './types.ts';

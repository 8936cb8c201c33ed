/**
 * The narrow port the script writer needs from a language model. Owned by its user, so a fake, Claude
 * or any other service can stand behind it. Everything about the call (model, prompts, token budget,
 * sampling) comes from the request, i.e. from the stored prompt, never from code.
 */
export interface CompletionRequest {
  model: string;
  system: string;
  user: string;
  maxTokens: number;
  /**
   * Sent only when set. Claude's API version 2026-10-21 (what @anthropic-ai/sdk 1.x speaks) answers
   * 400 to any temperature, so prompts for Claude should leave it unset.
   */
  temperature?: number;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface CompletionResult {
  text: string;
  /** The model that actually answered, as the service reports it. */
  model: string;
  /** Why generation stopped ('end_turn', 'max_tokens', ...), or null when the service did not say. */
  stopReason: string | null;
  usage: TokenUsage;
}

export interface GenerationProgress {
  /** Output tokens the service has reported so far (it reports them when the answer ends). */
  outputTokens: number;
  /** Characters of text received so far in this attempt. */
  characters: number;
}

export interface CompleteOptions {
  signal?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
}

export interface TextGenerator {
  readonly id: string;
  complete(request: CompletionRequest, options?: CompleteOptions): Promise<CompletionResult>;
}

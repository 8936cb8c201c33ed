/**
 * Expected speech failures, typed so callers can tell a missing engine (install it) from a bad voice name
 * (fix the script or preset) from a broken engine run (maybe retry). Aborts are not SpeechErrors: they
 * reject with the AbortSignal's reason so cancellation is handled the same way everywhere.
 */
export type SpeechErrorKind =
  | 'engine-missing'
  | 'engine-failed'
  | 'invalid-voice'
  | 'invalid-prosody'
  | 'invalid-wav'
  | 'nothing-to-say'
  /** The narration passed its output budget (see output-budget.ts): it was stopped, not finished. */
  | 'over-budget';

export class SpeechError extends Error {
  readonly kind: SpeechErrorKind;
  constructor(kind: SpeechErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpeechError';
    this.kind = kind;
  }
}

/**
 * Every expected ffmpeg failure is an FfmpegError with a `kind`, so callers branch on data
 * (retry, tell the user, mark the job failed) instead of parsing messages. The kind and message
 * are all that crosses a process boundary.
 */
export type FfmpegErrorKind =
  /** ffmpeg/ffprobe or an input file is missing (or not executable). */
  | 'not-found'
  /** ffmpeg ran but `-version`/`-encoders`/`-filters` could not be read. */
  | 'probe-failed'
  /** None of the plan's preferred encoders exists in this ffmpeg. */
  | 'encoder-unavailable'
  /** The RenderPlan failed validation. */
  | 'invalid-plan'
  /** The encode request itself (paths, encoder name, ...) is malformed. */
  | 'invalid-request'
  | 'encode-failed'
  | 'verify-failed'
  | 'cancelled'
  /** The encode process died without reporting a result. */
  | 'runner-crashed';

export const FFMPEG_ERROR_KINDS: readonly FfmpegErrorKind[] = [
  'not-found',
  'probe-failed',
  'encoder-unavailable',
  'invalid-plan',
  'invalid-request',
  'encode-failed',
  'verify-failed',
  'cancelled',
  'runner-crashed',
];

export class FfmpegError extends Error {
  readonly kind: FfmpegErrorKind;

  constructor(kind: FfmpegErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FfmpegError';
    this.kind = kind;
  }
}

export function isFfmpegError(error: unknown, kind?: FfmpegErrorKind): error is FfmpegError {
  return error instanceof FfmpegError && (kind === undefined || error.kind === kind);
}

export function isFfmpegErrorKind(value: unknown): value is FfmpegErrorKind {
  return typeof value === 'string' && (FFMPEG_ERROR_KINDS as readonly string[]).includes(value);
}

/** Anything thrown becomes an FfmpegError; unknown errors are treated as encode failures. */
export function toFfmpegError(error: unknown): FfmpegError {
  if (error instanceof FfmpegError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FfmpegError('encode-failed', message, { cause: error });
}

/**
 * A hardware encoder can fail in the middle of real work although it passed its trial: VideoToolbox
 * refuses a size it does not support, or another app holds every hardware session. The encode is then
 * run again with the plan's next encoder, and the caller records which one it fell back from and why.
 */
import { FfmpegError, isFfmpegError } from './errors.ts';

export interface EncoderFallback {
  /** The encoder that failed. */
  from: string;
  reason: string;
}

const HARDWARE = /_(videotoolbox|nvenc|qsv|vaapi|amf|v4l2m2m)$/;

export function isHardwareEncoder(encoder: string): boolean {
  return HARDWARE.test(encoder);
}

/** A failure of the encoder itself: ffmpeg ran and stopped with an error (not a cancel, not bad input). */
function worthAnotherEncoder(encoder: string, error: unknown): boolean {
  return isHardwareEncoder(encoder) && isFfmpegError(error, 'encode-failed');
}

/**
 * Tries `encoders` in order: the next one runs only when a hardware encoder failed at run time. Returns
 * the result and the first fallback taken (null when the first encoder did the work).
 */
export async function encodeWithFallback<T>(
  encoders: readonly string[],
  encode: (encoder: string) => Promise<T>,
  onFallback?: (fallback: EncoderFallback & { to: string }) => void,
): Promise<{ result: T; encoder: string; fallback: EncoderFallback | null }> {
  if (encoders.length === 0) throw new FfmpegError('encoder-unavailable', 'no encoder to try');
  let fallback: EncoderFallback | null = null;
  for (const [i, encoder] of encoders.entries()) {
    try {
      return { result: await encode(encoder), encoder, fallback };
    } catch (error) {
      const next = encoders[i + 1];
      if (next === undefined || !worthAnotherEncoder(encoder, error)) throw error;
      const reason = lastLine((error as Error).message);
      fallback ??= { from: encoder, reason };
      onFallback?.({ from: encoder, to: next, reason });
    }
  }
  // Unreachable: the last encoder either returns or throws.
  throw new FfmpegError('encode-failed', 'no encoder succeeded');
}

/** ffmpeg's messages end with the line that says what went wrong. */
function lastLine(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return (lines.at(-1) ?? message).slice(0, 300);
}

import { rename, rm } from 'node:fs/promises';
import { FfmpegError } from './errors.ts';
import { type CapturedOutput, captureOutput } from './exec.ts';

/**
 * Runs an ffmpeg that writes `partial` and, once it exits 0, renames that to `outPath`: never half a
 * file there. A run that fails, passes its time or is cancelled (`signal`) leaves no partial behind;
 * a failure throws an FfmpegError, `what` followed by ffmpeg's last two lines.
 */
export async function writeThroughPartial(
  ffmpegPath: string,
  args: string[],
  files: { partial: string; outPath: string },
  run: { what: string; timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<CapturedOutput> {
  try {
    const out = await captureOutput(ffmpegPath, args, run);
    if (out.code !== 0) {
      const detail = out.stderr.trim().split('\n').slice(-2).join(' ');
      throw new FfmpegError('encode-failed', `${run.what}: ${detail || 'no details'}`);
    }
    await rename(files.partial, files.outPath);
    return out;
  } catch (error) {
    await rm(files.partial, { force: true });
    throw error;
  }
}

import { describe, expect, it } from 'vitest';
import { encodeWithFallback, isHardwareEncoder } from './encoder-fallback.ts';
import { FfmpegError } from './errors.ts';

const refused = new FfmpegError(
  'encode-failed',
  'ffmpeg exited with code 1:\n[h264_videotoolbox @ 0x7f] Error: cannot create compression session: -12903',
);

describe('encodeWithFallback', () => {
  it('runs the next encoder when a hardware encoder fails at run time, and says so', async () => {
    const tried: string[] = [];
    const taken: unknown[] = [];
    const outcome = await encodeWithFallback(
      ['h264_videotoolbox', 'libx264'],
      async (encoder) => {
        tried.push(encoder);
        if (encoder === 'h264_videotoolbox') throw refused;
        return `video by ${encoder}`;
      },
      (fallback) => taken.push(fallback),
    );
    expect(tried).toEqual(['h264_videotoolbox', 'libx264']);
    expect(outcome).toEqual({
      result: 'video by libx264',
      encoder: 'libx264',
      fallback: {
        from: 'h264_videotoolbox',
        reason: '[h264_videotoolbox @ 0x7f] Error: cannot create compression session: -12903',
      },
    });
    expect(taken).toEqual([{ ...outcome.fallback, to: 'libx264' }]);
  });

  it('does not fall back from a cancel, a bad input or a software encoder, nor past the last encoder', async () => {
    const attempt = (error: Error) => async (encoder: string) => {
      if (encoder !== 'libx264' || error.message.includes('x264')) throw error;
      return 'made';
    };
    const cancelled = new FfmpegError('cancelled', 'encode cancelled');
    await expect(encodeWithFallback(['h264_videotoolbox', 'libx264'], attempt(cancelled))).rejects.toBe(
      cancelled,
    );
    const missing = new FfmpegError('not-found', 'asset "img" is missing');
    await expect(encodeWithFallback(['h264_videotoolbox', 'libx264'], attempt(missing))).rejects.toBe(
      missing,
    );
    const x264 = new FfmpegError('encode-failed', 'libx264 failed');
    await expect(encodeWithFallback(['libx264', 'libx265'], attempt(x264))).rejects.toBe(x264);
    await expect(encodeWithFallback(['h264_videotoolbox'], attempt(refused))).rejects.toBe(refused);
    expect(await encodeWithFallback(['libx264'], async () => 'first')).toEqual({
      result: 'first',
      encoder: 'libx264',
      fallback: null,
    });
  });

  it('knows the hardware encoders by name', () => {
    expect(
      ['h264_videotoolbox', 'hevc_videotoolbox', 'h264_nvenc', 'hevc_qsv'].map(isHardwareEncoder),
    ).toEqual([true, true, true, true]);
    expect(['libx264', 'libx265', 'libsvtav1'].map(isHardwareEncoder)).toEqual([false, false, false]);
  });
});

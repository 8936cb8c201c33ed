import { describe, expect, it } from 'vitest';
import { FfmpegError } from '../ffmpeg/errors.ts';
import { DiskFullError, formatSize, isDiskFull } from '../util/disk-room.ts';
import { errorKindOf, errorMessage, StepError } from './errors.ts';

describe('room on the disk', () => {
  it('says a size as people read it, down to a byte (vfo gc --budget 1B printed "0.0 KB")', () => {
    expect([1, 512, 1536, 450 * 1024 ** 2, 12 * 1024 ** 3].map(formatSize)).toEqual([
      '1 byte',
      '512 bytes',
      '1.5 KB',
      '450.0 MB',
      '12.0 GB',
    ]);
  });

  // Found by attacking the engine: an encode that failed for room was made three times, and the job's
  // error was ffmpeg's output dump.
  it('treats a full disk, however it is reported, as not worth another attempt, and says it plainly', () => {
    const ffmpeg = new FfmpegError(
      'encode-failed',
      'ffmpeg exited with 1: [mp4] ... No space left on device\n...',
    );
    const node = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const wrapped = new Error('storing the result', { cause: node });
    for (const error of [ffmpeg, node, wrapped, new DiskFullError(10, 20)]) {
      expect(isDiskFull(error)).toBe(true);
      expect(errorKindOf(error)).toBe('fatal');
    }
    expect(errorMessage(ffmpeg)).toBe(
      'no space is left on the disk: free some (vfo gc frees what finished jobs no longer need) and run again',
    );
    expect(errorMessage(new DiskFullError(1024, 2 * 1024 ** 3))).toBe(
      'the disk is nearly full (1.0 KB free; 2048.0 MB is kept free, set with vfo gc --keep-free)',
    );
    expect(isDiskFull(new Error('ffmpeg exited with 1: Invalid data found'))).toBe(false);
    // A step's message is its own (found by a review): a worker's disk, a script quoting the words.
    const farm = new StepError(
      'fatal',
      'the farm could not encode this video: worker mac-2: No space left on device',
    );
    expect(errorMessage(farm)).toBe(farm.message);
    // ...but a step's error caused by this machine's full disk is one (the thumbnail step wraps ffmpeg's).
    const thumbnail = new StepError('retryable', ffmpeg.message, { cause: ffmpeg });
    expect(errorKindOf(thumbnail)).toBe('fatal');
    expect(errorMessage(thumbnail)).toMatch(/^no space is left on the disk/);
    expect(errorKindOf(new Error('a flaky tool'))).toBe('retryable');
  });
});

import { describe, expect, it } from 'vitest';
import { combineParts, describeRate, etaOf, formatEta, formatSpeed } from './progress-rate.ts';

describe('progress rates', () => {
  it('words a rate the same way everywhere', () => {
    expect(describeRate({ fps: 87.4, speed: 2.13, etaMs: 32_000 })).toBe('87 fps · 2.1× · ETA 0:32');
    expect(describeRate({ fps: 12.46, speed: 0.456 })).toBe('12.5 fps · 0.46×');
    expect(describeRate(undefined)).toBe('');
    expect(formatEta(3_729_000)).toBe('1:02:09');
    expect(formatEta(400)).toBe('0:01');
    expect(formatSpeed(12.4)).toBe('12×');
  });

  it('promises no time without a measured speed', () => {
    expect(etaOf(10_000, undefined)).toBeUndefined();
    expect(etaOf(10_000, 0)).toBeUndefined();
    expect(etaOf(10_000, 2)).toBe(5_000);
  });

  it('adds up the segments of one video: weighted progress, summed speed, the video left over it', () => {
    const combined = combineParts([
      // 20 s of video, half done, at 2× and 50 fps.
      { durationMs: 20_000, fraction: 0.5, rate: { fps: 50, speed: 2, etaMs: 5_000 } },
      // 10 s, done: it no longer encodes.
      { durationMs: 10_000, fraction: 1, rate: { fps: 70, speed: 3 } },
      // 30 s still waiting for a worker.
      { durationMs: 30_000, fraction: 0 },
    ]);
    // (10 + 10) of 60 s done; 40 s of video left at 2×.
    expect(combined).toEqual({ fraction: 1 / 3, rate: { fps: 50, speed: 2, etaMs: 20_000 } });
    expect(combineParts([{ durationMs: 5_000, fraction: 0.2 }])).toEqual({ fraction: 0.2 });
  });

  it('times parts that all run at once by the slowest one, and promises nothing while one has no figure', () => {
    const parts = [
      // 10 s of video, 80% done at 2×: its own ffmpeg says 1 s left.
      { durationMs: 10_000, fraction: 0.8, rate: { fps: 50, speed: 2, etaMs: 1_000 } },
      // 10 s, 20% done at 1×: 8 s left, and the first part's core will not help it.
      { durationMs: 10_000, fraction: 0.2, rate: { fps: 25, speed: 1, etaMs: 8_000 } },
      // Back: no longer encoding.
      { durationMs: 10_000, fraction: 1, rate: { fps: 90, speed: 4, etaMs: 0 } },
    ];
    expect(combineParts(parts, 'slowest')).toEqual({
      fraction: 2 / 3,
      rate: { fps: 75, speed: 3, etaMs: 8_000 },
    });
    // Pooled, the same parts would promise (2 + 8 s of video) / 3× = 3.3 s.
    expect(combineParts(parts).rate?.etaMs).toBeCloseTo(10_000 / 3);
    const starting = [parts[0], { durationMs: 10_000, fraction: 0, rate: { fps: 0 } }];
    expect(combineParts(starting as typeof parts, 'slowest').rate).toEqual({ fps: 50, speed: 2 });
    expect(combineParts([{ durationMs: 10_000, fraction: 1 }], 'slowest')).toEqual({ fraction: 1 });
  });
});

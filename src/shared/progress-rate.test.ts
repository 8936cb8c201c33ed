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
});

import { describe, expect, it } from 'vitest';
import type { ProgressRate } from '../../shared/progress-rate.ts';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { tinyPlan } from '../ffmpeg/test-fixtures.ts';
import { segmentProgress } from './segmented-encode.ts';
import { splitPlan } from './split-plan.ts';

/** 30 s of one colour scene at the fixture's rate, split in three 10 s parts. */
function threeParts(): RenderPlan[] {
  const plan = tinyPlan({
    durationMs: 30_000,
    scenes: [{ startMs: 0, durationMs: 30_000, visual: { kind: 'color', color: '#102030' } }],
  });
  const parts = splitPlan(plan, 3, { minSegmentMs: 1_000 });
  expect(parts).toHaveLength(3);
  return parts;
}

describe('segmentProgress', () => {
  it('adds the parts up into the video: frames done, fps and speed summed, the slowest part’s time left', () => {
    const seen: { fraction: number; rate?: ProgressRate }[] = [];
    const progress = segmentProgress(threeParts(), 'slowest', (fraction, rate) =>
      seen.push(rate ? { fraction, rate } : { fraction }),
    );
    progress(0, 0.5, { fps: 40, speed: 1.6, etaMs: 3_000 });
    progress(1, 0.25, { fps: 30, speed: 1.2, etaMs: 6_000 });
    progress(2, 0.75, { fps: 50, speed: 2, etaMs: 1_000 });
    expect(seen.at(-1)?.fraction).toBeCloseTo(0.5);
    expect(seen.at(-1)?.rate).toEqual({ fps: 120, speed: 4.8, etaMs: 6_000 });
    // The slowest part is back: the next slowest sets the time left, and its speed no longer counts.
    progress(1, 1);
    expect(seen.at(-1)?.fraction).toBeCloseTo(0.75);
    expect(seen.at(-1)?.rate).toEqual({ fps: 90, speed: 3.6, etaMs: 3_000 });
  });

  it('never goes back, and ignores late figures of a part that is back or of no part', () => {
    const seen: number[] = [];
    const progress = segmentProgress(threeParts(), 'pooled', (fraction) => seen.push(fraction));
    progress(0, 0.6);
    progress(0, 0.3, { speed: 1 });
    progress(0, 1);
    progress(0, 0.2, { speed: 9 });
    progress(7, 0.5);
    expect(seen.map((f) => Math.round(f * 100))).toEqual([20, 20, 33]);
  });

  it('times a farm video by the video left over the speeds at work (a part may wait for a worker)', () => {
    let last: ProgressRate | undefined;
    const progress = segmentProgress(threeParts(), 'pooled', (_fraction, rate) => {
      last = rate;
    });
    progress(0, 0.5, { fps: 50, speed: 2, etaMs: 2_500 });
    // 25 s of video left (5 + two waiting parts of 10) at 2×.
    expect(last).toEqual({ fps: 50, speed: 2, etaMs: 12_500 });
  });
});

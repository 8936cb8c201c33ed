import { describe, expect, it } from 'vitest';
import { encodeSpan, planFrameCount } from '../../../shared/plan-frames.ts';
import { type RenderPlan, validateRenderPlan } from '../../../shared/render-plan.ts';
import { tinyPlan } from '../../ffmpeg/test-fixtures.ts';
import { planSegments, segmentEncoder } from './segment-encoder.ts';
import { MAX_SEGMENTS, partitionScenes, splitPlan } from './split-plan.ts';

const longest = (frames: number[], ranges: { firstScene: number; sceneCount: number }[]) =>
  Math.max(
    ...ranges.map((r) => frames.slice(r.firstScene, r.firstScene + r.sceneCount).reduce((a, b) => a + b, 0)),
  );

/** The best possible longest range over every way to cut `frames` into `count` ranges (small inputs). */
function bruteForceLongest(frames: number[], count: number): number {
  let best = Number.POSITIVE_INFINITY;
  const cut = (from: number, left: number, worst: number): void => {
    if (left === 1) {
      best = Math.min(
        best,
        Math.max(
          worst,
          frames.slice(from).reduce((a, b) => a + b, 0),
        ),
      );
      return;
    }
    for (let end = from + 1; end <= frames.length - (left - 1); end++) {
      const sum = frames.slice(from, end).reduce((a, b) => a + b, 0);
      cut(end, left - 1, Math.max(worst, sum));
    }
  };
  cut(0, count, 0);
  return best;
}

/** A plan of scenes lasting `seconds` each, at 25 fps. */
function planOf(seconds: number[]): RenderPlan {
  let start = 0;
  const scenes = seconds.map((s) => {
    const scene = {
      startMs: start,
      durationMs: s * 1000,
      visual: { kind: 'color' as const, color: '#102030' },
    };
    start += s * 1000;
    return scene;
  });
  return tinyPlan({ durationMs: start, scenes });
}

describe('partitionScenes', () => {
  it('cuts equal scenes into equal ranges, one per slot', () => {
    expect(partitionScenes([50, 50, 50, 50, 50, 50], 3, 1)).toEqual([
      { firstScene: 0, sceneCount: 2 },
      { firstScene: 2, sceneCount: 2 },
      { firstScene: 4, sceneCount: 2 },
    ]);
  });

  it('finds the smallest possible longest range, checked against every possible cut', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 200; round++) {
      const frames = Array.from(
        { length: 2 + Math.floor(random() * 9) },
        () => 1 + Math.floor(random() * 300),
      );
      const slots = 2 + Math.floor(random() * 4);
      const ranges = partitionScenes(frames, slots, 1);
      expect(ranges).toHaveLength(Math.min(slots, frames.length));
      expect(ranges.map((r) => r.sceneCount).reduce((a, b) => a + b, 0)).toBe(frames.length);
      ranges.forEach((r, i) => {
        expect(r.sceneCount).toBeGreaterThan(0);
        if (i > 0)
          expect(r.firstScene).toBe((ranges[i - 1]?.firstScene ?? 0) + (ranges[i - 1]?.sceneCount ?? 0));
      });
      expect(longest(frames, ranges)).toBe(bruteForceLongest(frames, ranges.length));
    }
  });

  it('makes fewer segments than slots rather than one below the minimum length', () => {
    // 100 frames, 40 at least: two segments at most, whatever the slots.
    expect(partitionScenes([25, 25, 25, 25], 4, 40)).toEqual([
      { firstScene: 0, sceneCount: 2 },
      { firstScene: 2, sceneCount: 2 },
    ]);
    // The only cut of [90, 10] leaves a 10-frame segment: whole.
    expect(partitionScenes([90, 10], 2, 40)).toEqual([{ firstScene: 0, sceneCount: 2 }]);
  });

  it('keeps a short video, a single scene or a single slot whole', () => {
    expect(partitionScenes([30, 30], 4, 40)).toEqual([{ firstScene: 0, sceneCount: 2 }]);
    expect(partitionScenes([1000], 4, 1)).toEqual([{ firstScene: 0, sceneCount: 1 }]);
    expect(partitionScenes([50, 50, 50], 1, 1)).toEqual([{ firstScene: 0, sceneCount: 3 }]);
  });
});

describe('splitPlan', () => {
  it('gives segment plans that are valid and cover every frame of the video exactly once', () => {
    const plan = planOf([3.01, 2.5, 4, 1.25, 6, 3.33]);
    const parts = splitPlan(plan, 3, { minSegmentMs: 2000 });
    expect(parts).toHaveLength(3);
    let next = 0;
    for (const [index, part] of parts.entries()) {
      expect(validateRenderPlan(part).ok).toBe(true);
      expect(part.segment).toMatchObject({ index, count: 3 });
      const span = encodeSpan(part);
      expect(span.startFrame).toBe(next);
      next += span.frameCount;
    }
    expect(next).toBe(planFrameCount(plan));
  });

  it('makes at most MAX_SEGMENTS segments, however many slots the peers report', () => {
    const plan = planOf(Array.from({ length: 200 }, () => 1));
    expect(splitPlan(plan, 4096, { minSegmentMs: 1000 })).toHaveLength(MAX_SEGMENTS);
  });

  it('renders whole when the video is shorter than two minimum segments', () => {
    const plan = planOf([5, 5, 5]);
    expect(splitPlan(plan, 3, { minSegmentMs: 8000 })).toEqual([plan]);
    // Two 7.5 s segments would fit the length, but the scenes only allow 5 + 10.
    expect(splitPlan(plan, 3, { minSegmentMs: 7500 })).toEqual([plan]);
    expect(splitPlan(plan, 3, { minSegmentMs: 5000 })).toHaveLength(3);
  });
});

describe('choosing the encoder of the segments', () => {
  const nodes = [
    { encoders: ['h264_videotoolbox', 'libx264'], freeSlots: 1 },
    { encoders: ['libx264'], freeSlots: 2 },
    { encoders: ['h264_videotoolbox', 'libx264'], freeSlots: 0 },
  ];

  it('takes the first preferred encoder some node has a free slot for, with those slots', () => {
    expect(segmentEncoder(['h264_videotoolbox', 'libx264'], nodes)).toEqual({
      encoder: 'h264_videotoolbox',
      slots: 1,
    });
    expect(segmentEncoder(['hevc_videotoolbox', 'libx264'], nodes)).toEqual({ encoder: 'libx264', slots: 3 });
    expect(segmentEncoder(['libx265'], nodes)).toBeNull();
  });

  it('pins the encoder on every segment, and leaves the plan alone when it renders whole', () => {
    const plan = planOf([4, 4, 4, 4]);
    const parts = planSegments(plan, nodes.slice(1), { minSegmentMs: 1000 });
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.output.encoders.join() === 'libx264')).toBe(true);
    expect(planSegments(plan, nodes.slice(0, 1), { minSegmentMs: 1000 })).toEqual([plan]);
    expect(planSegments(plan, nodes, null)).toEqual([plan]);
  });
});

import { describe, expect, it } from 'vitest';
import { encodeSpan, planFrameCount, transitionWindows } from '../../shared/plan-frames.ts';
import { type RenderPlan, validateRenderPlan } from '../../shared/render-plan.ts';
import { scenesPerEncode } from '../ffmpeg/index.ts';
import { tinyPlan } from '../ffmpeg/test-fixtures.ts';
import { planSegments, segmentEncoder } from './segment-placement.ts';
import { MAX_SEGMENTS, SNAP_SHARE, segmentStarts, splitPlan, startOutsideWindows } from './split-plan.ts';

/** A plan of scenes lasting `seconds` each, at 25 fps. */
function planOf(seconds: number[], size?: { width: number; height: number }): RenderPlan {
  let start = 0;
  const scenes = seconds.map((s) => {
    const scene = {
      startMs: start,
      durationMs: Math.round(s * 1000),
      visual: { kind: 'color' as const, color: '#102030' },
    };
    start += scene.durationMs;
    return scene;
  });
  const plan = tinyPlan({ durationMs: start, scenes });
  return size ? { ...plan, output: { ...plan.output, ...size } } : plan;
}

/** Every frame once, in order, no segment starting in a blend, none holding more scenes than one encode may. */
function expectWithinBudget(plan: RenderPlan, parts: RenderPlan[]): void {
  const windows = transitionWindows(plan);
  let next = 0;
  for (const part of parts) {
    expect(validateRenderPlan(part).ok).toBe(true);
    const span = encodeSpan(part);
    expect(span.startFrame).toBe(next);
    expect(windows.some((w) => span.startFrame >= w.start && span.startFrame < w.end)).toBe(false);
    expect(span.parts.length).toBeLessThanOrEqual(scenesPerEncode(plan));
    next += span.frameCount;
  }
  expect(next).toBe(planFrameCount(plan));
  expect(parts.length).toBeLessThanOrEqual(MAX_SEGMENTS);
}

describe('segmentStarts', () => {
  it('gives every free slot an equal share, cutting at a scene boundary when one is near', () => {
    // 300 frames, 3 slots: shares of 100; scene boundaries at 95 and 230 (within 10 frames of 100, not of 200).
    expect(segmentStarts(300, [95, 230], 3, 10)).toEqual([0, 95, 200]);
    expect(segmentStarts(300, [], 3, 10)).toEqual([0, 100, 200]);
  });

  it('cuts inside a long scene: one scene on four slots is four equal segments', () => {
    expect(segmentStarts(1500, [], 4, 125)).toEqual([0, 375, 750, 1125]);
  });

  it('makes fewer segments than slots rather than one below the minimum length, and none under two', () => {
    expect(segmentStarts(100, [], 4, 40)).toEqual([0, 50]);
    expect(segmentStarts(79, [], 4, 40)).toEqual([0]);
    expect(segmentStarts(1000, [], 1, 1)).toEqual([0]);
  });

  it('never snaps a cut to where a segment would be too short, or out of order', () => {
    // Shares of 50 with a 48-frame minimum: snapping 100 to 95 would leave 45 frames before it.
    expect(segmentStarts(150, [95], 3, 48)).toEqual([0, 50, 100]);
  });

  it('never starts a segment inside a transition window, its first frame included', () => {
    // A boundary at 100 with a 12-frame transition: frames 100..111 blend; 112 is the first free one.
    const windows = [{ start: 100, end: 112 }];
    // A cut at the boundary itself moves to the frame before it (nearer than the window's end).
    expect(segmentStarts(300, [], 3, 10, windows)).toEqual([0, 99, 200]);
    // A boundary with a transition snaps cuts to its window's end, when that is near enough (10 frames).
    expect(segmentStarts(300, [100], 3, 10, [{ start: 100, end: 108 }])).toEqual([0, 108, 200]);
    // An even cut inside a window moves to whichever side is nearer: the window's end, or the frame before it.
    expect(segmentStarts(200, [], 2, 10, [{ start: 95, end: 103 }])).toEqual([0, 103]);
    expect(segmentStarts(200, [], 2, 10, [{ start: 98, end: 110 }])).toEqual([0, 97]);
    expect(startOutsideWindows(windows, 99)).toBe(99);
    expect(startOutsideWindows(windows, 100)).toBe(99);
    expect(startOutsideWindows(windows, 105)).toBe(99);
    expect(startOutsideWindows(windows, 106)).toBe(112);
    expect(startOutsideWindows(windows, 111)).toBe(112);
    expect(startOutsideWindows(windows, 112)).toBe(112);
  });

  it('drops a cut that leaving a window would make too short, rather than cut inside it', () => {
    // 4 shares of 25 with a 24-frame minimum: 50 leaves its window for 39, only 14 frames after 25.
    const starts = segmentStarts(100, [], 4, 24, [{ start: 40, end: 64 }]);
    expect(starts).toEqual([0, 25, 75]);
  });

  it('splits a plan with crossfades only outside its windows, for any number of slots', () => {
    const plan = {
      ...planOf([2, 1.5, 3, 1, 2.5]),
      transition: { kind: 'crossfade' as const, durationMs: 480 },
    };
    const windows = transitionWindows(plan);
    expect(windows).toHaveLength(4);
    for (let slots = 2; slots <= 12; slots++) {
      const parts = splitPlan(plan, slots, { minSegmentMs: 200 });
      for (const part of parts) {
        const start = part.segment?.startFrame ?? 0;
        expect(windows.some((w) => start >= w.start && start < w.end)).toBe(false);
      }
      const frames = parts.reduce((sum, part) => sum + (part.segment?.frameCount ?? planFrameCount(plan)), 0);
      expect(frames).toBe(planFrameCount(plan));
    }
  });

  it('keeps every segment within the snap distance of an equal share, whatever the scenes', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 300; round++) {
      const total = 200 + Math.floor(random() * 5000);
      const boundaries = [
        ...new Set(
          Array.from({ length: Math.floor(random() * 30) }, () => 1 + Math.floor(random() * (total - 1))),
        ),
      ].sort((a, b) => a - b);
      const slots = 1 + Math.floor(random() * 8);
      const minFrames = 1 + Math.floor(random() * 300);
      const starts = segmentStarts(total, boundaries, slots, minFrames);
      const lengths = starts.map((start, i) => (starts[i + 1] ?? total) - start);
      expect(starts[0]).toBe(0);
      expect(starts.length).toBeLessThanOrEqual(Math.max(1, Math.min(slots, Math.floor(total / minFrames))));
      if (starts.length === 1) continue;
      const share = total / starts.length;
      for (const length of lengths) {
        expect(length).toBeGreaterThanOrEqual(minFrames);
        expect(length).toBeLessThanOrEqual(Math.ceil(share * (1 + 2 * SNAP_SHARE)) + 1);
      }
    }
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

  it('renders whole when the video is shorter than two minimum segments, and cuts a scene when it must', () => {
    const plan = planOf([5, 5, 5]);
    expect(splitPlan(plan, 3, { minSegmentMs: 8000 })).toEqual([plan]);
    // Three 5 s scenes: three segments at the scene boundaries, or two of 7.5 s (7 s at least) cutting the middle scene.
    expect(splitPlan(plan, 3, { minSegmentMs: 5000 }).map((p) => p.segment?.startFrame)).toEqual([
      0, 125, 250,
    ]);
    const halves = splitPlan(plan, 3, { minSegmentMs: 7000 });
    expect(halves.map((p) => p.segment)).toEqual([
      { index: 0, count: 2, startFrame: 0, frameCount: 188 },
      { index: 1, count: 2, startFrame: 188, frameCount: 187 },
    ]);
    expect(encodeSpan(halves[1] as RenderPlan).parts[0]).toEqual({ scene: 1, offset: 63, frames: 62 });
  });
});

describe('the scene budget (what one encode may hold in memory)', () => {
  const HD = { width: 1920, height: 1080 };

  it('cuts a long video into parts of at most 16 scenes at 1080p, even on one slot', () => {
    const plan = planOf(
      Array.from({ length: 40 }, () => 1),
      HD,
    );
    const parts = splitPlan(plan, 1, { minSegmentMs: 60_000 });
    expect(parts.map((p) => encodeSpan(p).parts.length)).toEqual([16, 16, 8]);
    expectWithinBudget(plan, parts);
    // 16 scenes fit one encode: whole.
    expect(
      splitPlan(
        planOf(
          Array.from({ length: 16 }, () => 1),
          HD,
        ),
        1,
        { minSegmentMs: 0 },
      ),
    ).toHaveLength(1);
  });

  it('keeps to it with crossfades, with slots and minimum lengths, and for 2,000 scenes', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const count of [17, 33, 100, 700, 2000]) {
      const seconds = Array.from({ length: count }, () => (2 + Math.round(random() * 30)) / 10);
      const plan = { ...planOf(seconds, HD), transition: { kind: 'crossfade' as const, durationMs: 160 } };
      for (const slots of [1, 2, 3, 8, 4096]) {
        expectWithinBudget(plan, splitPlan(plan, slots, { minSegmentMs: 1000 + random() * 20_000 }));
      }
    }
  });

  it('sends a long video to the farm in segments even when no node has a free slot, or segments are off', () => {
    const plan = {
      ...planOf(
        Array.from({ length: 40 }, () => 1),
        HD,
      ),
      output: { ...planOf([1]).output, ...HD, encoders: ['h264_videotoolbox', 'libx264'] },
    };
    const busy = [{ encoders: ['libx264'], freeSlots: 0 }];
    for (const policy of [{ minSegmentMs: 1000 }, null]) {
      const parts = planSegments(plan, busy, policy);
      expect(parts).toHaveLength(3);
      expect(parts.every((p) => p.output.encoders.join() === 'libx264')).toBe(true);
      expectWithinBudget(plan, parts);
    }
    // No node online has any of its encoders: the plan's last, the one a node joining later most likely has.
    expect(planSegments(plan, [], null).map((p) => p.output.encoders.join())).toEqual([
      'libx264',
      'libx264',
      'libx264',
    ]);
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

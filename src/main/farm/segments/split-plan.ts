/**
 * Where to cut a long video so the farm can encode it in parallel. Cuts fall only between scenes (a
 * scene renders the same frames whatever else is in its encode), the segments are as even as the
 * scene boundaries allow (the slowest segment sets the wall time), and none is shorter than the
 * policy's minimum (every segment pays a fixed cost: lease, asset fetch, encoder start-up).
 */
import { planFrameCount, sceneFrameStarts } from '../../../shared/plan-frames.ts';
import type { RenderPlan, Segment } from '../../../shared/render-plan.ts';

/**
 * Bound on segments per video, whatever the peers report: every segment carries the whole plan
 * through the queue, and splitting costs O(segments² × scenes).
 */
export const MAX_SEGMENTS = 64;

export interface SplitPolicy {
  /** No segment shorter than this; a video shorter than twice this renders whole. */
  minSegmentMs: number;
}

export interface SceneRange {
  firstScene: number;
  sceneCount: number;
}

/**
 * The plans to encode: `[plan]` when it renders whole, else one plan per segment, each naming its
 * scenes. Segments must all use the same encoder (their packets are joined as they are), so the
 * caller pins it first.
 */
export function splitPlan(plan: RenderPlan, slots: number, policy: SplitPolicy): RenderPlan[] {
  const minFrames = Math.max(1, Math.ceil((policy.minSegmentMs * plan.output.fps) / 1000));
  const ranges = partitionScenes(clippedSceneFrames(plan), Math.min(slots, MAX_SEGMENTS), minFrames);
  if (ranges.length < 2) return [plan];
  return ranges.map((range, index): RenderPlan => {
    const segment: Segment = { index, count: ranges.length, ...range };
    return { ...plan, segment };
  });
}

/** Frames each scene contributes to the finished video (a last scene past its end contributes none). */
export function clippedSceneFrames(plan: RenderPlan): number[] {
  const total = planFrameCount(plan);
  const starts = sceneFrameStarts(plan).map((s) => Math.min(s, total));
  return plan.scenes.map((_, i) => (starts[i + 1] as number) - (starts[i] as number));
}

/**
 * Splits consecutive scenes (given as frame counts) into at most `slots` ranges, minimising the
 * longest; fewer when the minimum length would be broken. One range means "do not split".
 */
export function partitionScenes(frames: number[], slots: number, minFrames: number): SceneRange[] {
  const total = frames.reduce((a, b) => a + b, 0);
  const most = Math.min(slots, frames.length, Math.floor(total / Math.max(1, minFrames)));
  for (let count = most; count >= 2; count--) {
    const ranges = balancedRanges(frames, count);
    if (ranges.every((r) => sumOf(frames, r) >= minFrames)) return ranges;
  }
  return [{ firstScene: 0, sceneCount: frames.length }];
}

function sumOf(frames: number[], range: SceneRange): number {
  let sum = 0;
  for (let i = range.firstScene; i < range.firstScene + range.sceneCount; i++) sum += frames[i] as number;
  return sum;
}

/**
 * Exactly `count` ranges whose longest is as short as possible (binary search on that length), each
 * cut placed as close as it can be to an even share of what is left, so the short ones are not all
 * pushed to the end.
 */
function balancedRanges(frames: number[], count: number): SceneRange[] {
  const n = frames.length;
  const prefix = [0];
  for (const f of frames) prefix.push((prefix.at(-1) as number) + f);
  const at = (i: number) => prefix[i] as number;
  /** Ranges needed from scene `from` on when none may exceed `limit` (greedy is optimal here). */
  const needed = (from: number, limit: number): number => {
    let ranges = 0;
    let i = from;
    while (i < n) {
      if ((frames[i] as number) > limit) return Number.POSITIVE_INFINITY;
      let end = i;
      while (end < n && at(end + 1) - at(i) <= limit) end++;
      ranges++;
      i = end;
    }
    return ranges;
  };
  let low = Math.max(...frames);
  let high = at(n);
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (needed(0, mid) <= count) high = mid;
    else low = mid + 1;
  }
  const limit = low;

  const ranges: SceneRange[] = [];
  let from = 0;
  for (let left = count; left >= 2; left--) {
    // Cuts c in [earliest, latest]: this range fits the limit and the rest fits in left - 1 ranges,
    // each of at least one scene.
    let latest = from + 1;
    while (latest + 1 <= n - (left - 1) && at(latest + 1) - at(from) <= limit) latest++;
    let lo = from + 1;
    let hi = latest;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (needed(mid, limit) <= left - 1) hi = mid;
      else lo = mid + 1;
    }
    const earliest = lo;
    const target = at(from) + (at(n) - at(from)) / left;
    let cut = earliest;
    for (let c = earliest; c <= latest; c++) {
      if (Math.abs(at(c) - target) < Math.abs(at(cut) - target)) cut = c;
    }
    ranges.push({ firstScene: from, sceneCount: cut - from });
    from = cut;
  }
  ranges.push({ firstScene: from, sceneCount: n - from });
  return ranges;
}

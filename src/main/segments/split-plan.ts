/**
 * Where to cut a long video so the farm can encode it in parallel. The slowest segment sets the wall
 * time, so segments are as even as frames allow: one per free slot, each an equal share of the video.
 * A cut moves to a nearby scene boundary when there is one (a cut there starts no motion part-way and
 * decodes no clip frames for nothing); otherwise it falls inside the scene, which is as exact (see
 * plan-frames.ts). No segment is shorter than the policy's minimum: every segment pays a fixed cost
 * (lease, asset fetch, encoder start-up). And whatever the slots, no segment holds more scenes than one
 * encode may (scenesPerEncode: the encoder holds every scene of its graph in memory at once), so a long
 * video is cut into parts even on one core.
 */
import {
  planFrameCount,
  sceneBoundaries,
  type TransitionWindow,
  transitionWindows,
} from '../../shared/plan-frames.ts';
import type { RenderPlan, Segment } from '../../shared/render-plan.ts';
import { scenesPerEncode } from '../ffmpeg/index.ts';

/**
 * Bound on segments per video, whatever the peers report: every segment carries the whole plan
 * through the queue.
 */
export const MAX_SEGMENTS = 64;

/**
 * A cut moves to a scene boundary at most this share of a segment's length away. Measured against
 * cutting stills exactly at the equal share (local parts of even length): that render was 0.3 s slower,
 * since the audio track, encoded in the background, then finds no core a part left early
 * (BENCHMARKS.md, run H).
 */
export const SNAP_SHARE = 0.1;

export interface SplitPolicy {
  /** No segment shorter than this; a video shorter than twice this renders whole. */
  minSegmentMs: number;
}

/**
 * The plans to encode: `[plan]` when it renders whole, else one plan per segment, each naming its
 * frames. Segments must all use the same encoder (their packets are joined as they are), so the
 * caller pins it first.
 */
export function splitPlan(plan: RenderPlan, slots: number, policy: SplitPolicy): RenderPlan[] {
  const total = planFrameCount(plan);
  const minFrames = Math.max(1, Math.ceil((policy.minSegmentMs * plan.output.fps) / 1000));
  const windows = transitionWindows(plan);
  const boundaries = sceneBoundaries(plan);
  const slotCount = Math.min(slots, MAX_SEGMENTS);
  const perEncode = scenesPerEncode(plan);
  const forSlots = segmentStarts(total, boundaries, slotCount, minFrames, windows);
  let starts = withinSceneBudget(forSlots, total, boundaries, windows, perEncode);
  // More than the queue takes: the scene budget alone cuts (scenesPerEncode keeps that under the bound).
  if (starts.length > MAX_SEGMENTS) starts = withinSceneBudget([0], total, boundaries, windows, perEncode);
  if (starts.length < 2) return [plan];
  return starts.map((startFrame, index): RenderPlan => {
    const frameCount = (starts[index + 1] ?? total) - startFrame;
    const segment: Segment = { index, count: starts.length, startFrame, frameCount };
    return { ...plan, segment };
  });
}

/**
 * `starts` with cuts added so that no segment holds more than `perEncode` scenes: a segment holds the
 * scene under way at its first frame and every scene that starts inside it (a transition's frames
 * hold both scenes it blends). A cut goes where a scene starts, or on the frame before its transition:
 * no segment starts inside a blend.
 */
export function withinSceneBudget(
  starts: number[],
  total: number,
  boundaries: number[],
  windows: TransitionWindow[],
  perEncode: number,
): number[] {
  const blendAt = (frame: number) => windows.some((w) => frame >= w.start && frame < w.end);
  const out: number[] = [];
  starts.forEach((start, j) => {
    const end = starts[j + 1] ?? total;
    let from = start;
    out.push(from);
    for (;;) {
      const inside = boundaries.filter((b) => b > from && b < end);
      if (inside.length < perEncode) break;
      // The scene under way and the next perEncode - 1 fit: the cut is where the one after starts, or
      // just before its transition; else (a one-frame scene) past the transition of the last that fits.
      const next = inside[perEncode - 1] as number;
      const last = inside[perEncode - 2] as number;
      const cut = [next, next - 1].find((frame) => frame > from && !blendAt(frame));
      from = cut ?? windows.find((w) => w.start === last)?.end ?? last;
      out.push(from);
    }
  });
  return out;
}

/**
 * First frames of the segments of a `total`-frame video: at most `slots` of them, none shorter than
 * `minFrames`; `[0]` means "do not split". `boundaries` are the frames where scenes start; `windows`
 * the transitions [start, end): a frame inside one blends two scenes, the one before included, so no
 * segment starts there (a cut at a window's start too: that frame already belongs to the blend). A
 * cut that would fall inside moves to the window's end, or to the frame before it when that is nearer;
 * a scene boundary with a transition is, as a snapping target, the end of its window.
 */
export function segmentStarts(
  total: number,
  boundaries: number[],
  slots: number,
  minFrames: number,
  windows: TransitionWindow[] = [],
): number[] {
  const count = Math.min(slots, Math.floor(total / Math.max(1, minFrames)));
  if (count < 2) return [0];
  const share = total / count;
  const targets = boundaries.map((b) => windows.find((w) => w.start === b)?.end ?? b);
  // Even shares: consecutive rounded multiples of share >= minFrames differ by at least minFrames.
  const even = Array.from({ length: count }, (_, j) => Math.round(j * share));
  const snapped = even.map((ideal, j) =>
    j === 0 ? 0 : startOutsideWindows(windows, nearest(targets, ideal, SNAP_SHARE * share) ?? ideal),
  );
  if (isValid(snapped, total, minFrames)) return snapped;
  return keepValid(
    even.map((start) => startOutsideWindows(windows, start)),
    total,
    minFrames,
  );
}

/** Every segment at least `minFrames` long, in increasing order. */
function isValid(starts: number[], total: number, minFrames: number): boolean {
  return starts.every(
    (start, j) =>
      (starts[j + 1] ?? total) - start >= minFrames && (j === 0 || start > (starts[j - 1] as number)),
  );
}

/** The frame nearest `frame` where a segment may start: outside every window (the video's start stays). */
export function startOutsideWindows(windows: TransitionWindow[], frame: number): number {
  const window = windows.find((w) => frame > 0 && frame >= w.start && frame < w.end);
  if (!window) return frame;
  const before = window.start - 1;
  // Windows never touch (each ends in the first half of its scene), so either side is free.
  return before > 0 && frame - before < window.end - frame ? before : window.end;
}

/** Cuts moved out of windows may crowd each other: drop those that leave a segment too short. */
function keepValid(starts: number[], total: number, minFrames: number): number[] {
  const kept = [0];
  for (const start of starts.slice(1)) {
    if (start - (kept[kept.length - 1] as number) >= minFrames && total - start >= minFrames)
      kept.push(start);
  }
  return kept;
}

/** The value of `sorted` closest to `target` within `reach`, if any. */
function nearest(sorted: number[], target: number, reach: number): number | undefined {
  let best: number | undefined;
  for (const value of sorted) {
    const distance = Math.abs(value - target);
    if (distance <= reach && (best === undefined || distance < Math.abs(best - target))) best = value;
  }
  return best;
}

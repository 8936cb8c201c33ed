/**
 * The output frame grid: the one rounding every frame count of a plan goes through (plan-frames.ts
 * builds on it; the RenderPlan schema checks a segment's bounds with it).
 */

/** Frame index at which a time falls, on the output frame grid. */
export function frameAt(ms: number, fps: number): number {
  return Math.round((ms * fps) / 1000);
}

/** Frames of a whole video of this length (at least one). */
export function videoFrameCount(durationMs: number, fps: number): number {
  return Math.max(1, frameAt(durationMs, fps));
}

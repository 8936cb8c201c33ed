/**
 * What one ffmpeg run may hold at once. ffmpeg opens every input of a graph at start and decodes each
 * still before the graph runs, so every scene of an encode holds its frames in memory from the first
 * frame to the last: measured at 1080p, about 360 MB for the encoder and 37 MB more per scene (12
 * scenes of 2228x2228 stills: 805 MB; 3 scenes: 473 MB), and a 4096x4096 still adds 38 MB to its
 * scene. A long video is therefore encoded in parts of a bounded number of scenes (splitPlan), and an
 * encode that holds more is refused before it starts, whoever sent its plan.
 */
import type { RenderPlan } from '../../shared/render-plan.ts';

/** Output pixels of the scenes one encode may hold: 16 scenes at 1920x1080, about 1.1 GB. */
export const ENCODE_SCENE_PIXELS = 16 * 1920 * 1080;

/**
 * The most parts the scene budget alone cuts a video into: past that, parts hold more scenes each, as
 * every part carries the whole plan through the farm's queue (see MAX_SEGMENTS).
 */
export const SCENE_BUDGET_PARTS = 32;

/** The most scenes one encode of `plan` (whole, or a segment of it) may hold. */
export function scenesPerEncode(plan: Pick<RenderPlan, 'output' | 'scenes'>): number {
  const frame = plan.output.width * plan.output.height;
  return Math.max(
    2,
    Math.floor(ENCODE_SCENE_PIXELS / frame),
    Math.ceil(plan.scenes.length / SCENE_BUDGET_PARTS),
  );
}

/** Stills up to this size cost an encode little (16 MB decoded), whatever its frame: left as they are. */
const SMALL_STILL_PIXELS = 2048 * 2048;

/**
 * Pixels the encoder decodes a plan's still or clip frame to, at most: a larger one is made this small
 * by the plan step (still-fit.ts), so one larger than this (encoderMaxPixels) was not made by a plan
 * step and is refused as the encoder opens it.
 */
export function maxStillPixels(output: Pick<RenderPlan['output'], 'width' | 'height'>): number {
  return Math.max(SMALL_STILL_PIXELS, 4 * output.width * output.height);
}

/**
 * The `-max_pixels` an encode opens a still with: maxStillPixels, plus what libavcodec adds before it
 * compares: it checks the row as allocated, the width rounded up for SIMD (a 2160-wide fitted still
 * was refused as 2176 wide; 64 on this x86 build), so up to 127 more columns of the tallest still a
 * script may have (16384 rows).
 */
export function encoderMaxPixels(output: Pick<RenderPlan['output'], 'width' | 'height'>): number {
  return maxStillPixels(output) + 128 * 16_384;
}

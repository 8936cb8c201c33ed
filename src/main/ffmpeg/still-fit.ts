/**
 * A script's still made no larger than a video can use, once, when its plan is made. Every picture
 * chain shows a centred window of the frame's shape (cover, zoom, pan), and none draws from more than
 * twice the frame's size (the 2x reference the look test holds them to), so a larger still is cropped
 * to that shape about its centre and scaled down to twice the frame. Beyond sparing each encode the
 * decode of a 50-megapixel photo, this bounds the memory a plan's stills take in the encoder
 * (maxStillPixels): a still that is larger there was not made by a plan step, and is refused.
 */
import { rename, rm } from 'node:fs/promises';
import { partialPathFor } from '../util/atomic-file.ts';
import { FfmpegError } from './errors.ts';
import { captureOutput } from './exec.ts';
import { mediaInput } from './media-input.ts';
import type { Size } from './motion-geometry.ts';
import { maxStillPixels } from './scene-budget.ts';

export interface StillFit {
  /** Pixels kept about the centre: the frame's shape, as large as the still allows. */
  crop: Size;
  /** What the crop is scaled to: itself, or twice the frame when it is larger. */
  scaled: Size;
}

/** How a `still` shown in `frame` is made smaller; null when it is not larger than maxStillPixels. */
export function stillFit(still: Size, frame: Size): StillFit | null {
  if (still.width * still.height <= maxStillPixels(frame)) return null;
  const wider = still.width * frame.height > still.height * frame.width;
  const crop = wider
    ? { width: Math.max(1, Math.round((still.height * frame.width) / frame.height)), height: still.height }
    : { width: still.width, height: Math.max(1, Math.round((still.width * frame.height) / frame.width)) };
  const twice = { width: 2 * frame.width, height: 2 * frame.height };
  const scaled = crop.width * crop.height > twice.width * twice.height ? twice : crop;
  return { crop, scaled };
}

/** Writes the still at `source`, made to `fit`, as a PNG at `outPath` (lossless: the encode is the one generation). */
export async function writeFittedStill(
  ffmpegPath: string,
  source: string,
  fit: StillFit,
  outPath: string,
): Promise<void> {
  const partial = `${partialPathFor(outPath)}.png`;
  const { crop, scaled } = fit;
  const args = [
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...mediaInput(source)],
    ...[
      '-frames:v',
      '1',
      '-vf',
      `crop=${crop.width}:${crop.height},scale=${scaled.width}:${scaled.height}:flags=lanczos`,
    ],
    ...['-c:v', 'png', '-f', 'image2', partial],
  ];
  const out = await captureOutput(ffmpegPath, args, { timeoutMs: 2 * 60_000 });
  if (out.code !== 0) {
    await rm(partial, { force: true });
    const detail = out.stderr.trim().split('\n').slice(-2).join(' ');
    throw new FfmpegError('encode-failed', `cannot scale the picture: ${detail || 'no details'}`);
  }
  await rename(partial, outPath);
}

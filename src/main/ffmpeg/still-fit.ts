/**
 * A script's still (or clip) made no larger than a video can use, once, when its plan is made. Every
 * picture chain shows a centred window of the frame's shape (cover, zoom, pan), and the thumbnail one
 * of 16:9, so a larger still loses what neither shows (it is cropped about its centre to the nearer of
 * the two shapes when it is wider or taller than both) and is scaled down to maxStillPixels: four times
 * the frame's pixels, the detail of the 2x reference the look test holds the chains to. Beyond sparing
 * each encode the decode of a 50-megapixel photo, this bounds the memory a plan's stills take in the
 * encoder: a still that is larger there was not made by a plan step, and is refused.
 */
import { partialPathFor } from '../util/atomic-file.ts';
import { mediaInput } from './media-input.ts';
import type { Size } from './motion-geometry.ts';
import { maxStillPixels } from './scene-budget.ts';
import { THUMBNAIL_SIZE } from './thumbnail.ts';
import { writeThroughPartial } from './write-through-partial.ts';

export interface StillFit {
  /** Pixels kept about the centre. */
  crop: Size;
  /** What the crop is scaled to (even sizes, for 4:2:0 chroma). */
  scaled: Size;
}

/** The widest and the narrowest shape (width / height, as fractions) anything shows of a still. */
function shapes(frame: Size): { wide: [number, number]; narrow: [number, number] } {
  const ofFrame: [number, number] = [frame.width, frame.height];
  const ofThumbnail: [number, number] = [THUMBNAIL_SIZE.width, THUMBNAIL_SIZE.height];
  const wider = frame.width * THUMBNAIL_SIZE.height >= THUMBNAIL_SIZE.width * frame.height;
  return wider ? { wide: ofFrame, narrow: ofThumbnail } : { wide: ofThumbnail, narrow: ofFrame };
}

/**
 * How a `still` shown in `frame` is made smaller; null when it is not larger than maxStillPixels. The
 * arithmetic is fitFilter's, step for step, so it says what ffmpeg will make.
 */
export function stillFit(still: Size, frame: Size): StillFit | null {
  const bound = maxStillPixels(frame);
  if (still.width * still.height <= bound) return null;
  const { wide, narrow } = shapes(frame);
  const crop = {
    width: Math.min(still.width, Math.trunc((still.height * wide[0]) / wide[1])),
    height: Math.min(still.height, Math.trunc((still.width * narrow[1]) / narrow[0])),
  };
  const factor = Math.min(1, Math.sqrt(bound / (crop.width * crop.height)));
  const even = (value: number) => Math.trunc((value * factor) / 2) * 2;
  return { crop, scaled: { width: even(crop.width), height: even(crop.height) } };
}

/**
 * The filter that makes a picture (a still, or each frame of a clip) what stillFit says for `frame`:
 * written on the decoded picture's own size, so it holds for a clip or photo that ffmpeg turns upright
 * (its header gives the size before turning).
 */
export function fitFilter(frame: Size): string {
  const { wide, narrow } = shapes(frame);
  const bound = maxStillPixels(frame);
  const factor = `min(1,sqrt(${bound}/(iw*ih)))`;
  return (
    `crop=w='min(iw,ih*${wide[0]}/${wide[1]})':h='min(ih,iw*${narrow[1]}/${narrow[0]})',` +
    `scale=w='trunc(iw*${factor}/2)*2':h='trunc(ih*${factor}/2)*2':flags=lanczos`
  );
}

/** Writes the still at `source`, fitted to `frame`, as a PNG at `outPath` (lossless: the encode is the one generation). */
export async function writeFittedStill(
  ffmpegPath: string,
  source: string,
  frame: Size,
  outPath: string,
  signal?: AbortSignal,
): Promise<void> {
  const partial = `${partialPathFor(outPath)}.png`;
  const args = [
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...mediaInput(source)],
    ...['-frames:v', '1', '-vf', fitFilter(frame)],
    ...['-c:v', 'png', '-f', 'image2', partial],
  ];
  await writeThroughPartial(
    ffmpegPath,
    args,
    { partial, outPath },
    { what: 'cannot scale the picture', timeoutMs: 2 * 60_000, signal },
  );
}

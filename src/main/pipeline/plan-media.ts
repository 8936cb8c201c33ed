/**
 * A script's own media on their way into a plan. Every file is read only through openCheckedMedia: it
 * is checked again when read (it may have changed since the script was checked), and a refusal is the
 * same located message the check gave.
 */

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, parse } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { StepError } from '../engine/errors.ts';
import { probePicture, type Size, stillFit, writeFittedStill } from '../ffmpeg/index.ts';
import {
  formatDiagnostic,
  IMAGE_MEDIA,
  type MediaKind,
  type MediaPlaces,
  openCheckedMedia,
  shorten,
} from '../script/index.ts';
import type { MediaRef, ScriptDocument } from '../script/types.ts';
import { sha256Stream } from '../util/hash.ts';
import { pictureProblem } from './media-verdicts.ts';

/** An invalid-input failure at a place in the script: `file:line:col: error: message`. */
export function locatedError(
  document: Pick<ScriptDocument, 'file'>,
  at: { line: number; col: number },
  message: string,
): StepError {
  const { line, col } = at;
  return new StepError(
    'invalid-input',
    formatDiagnostic({ file: document.file, line, col, severity: 'error', message }),
  );
}

/**
 * The checksums the plan step's input hash was made of, by each medium's checked path (its
 * fingerprint): a medium copied later must still be these bytes.
 */
export type HashedMedia = Readonly<Record<string, string>>;

/**
 * Copies the file `ref` names to `dest`, after checking it again, and makes sure the bytes copied are
 * the ones hashed: a picture saved while the plan step ran was stored under the old picture's hash,
 * and a later render reused the plan with the new one in it. A changed file fails the attempt; the
 * retry hashes and copies it again.
 */
export async function copyCheckedMedia(
  document: Pick<ScriptDocument, 'file'>,
  ref: MediaRef,
  places: MediaPlaces,
  kind: MediaKind,
  dest: string,
  hashed: HashedMedia,
): Promise<void> {
  const opened = await openCheckedMedia(ref, places, kind);
  if (!opened.ok) throw locatedError(document, ref, opened.message);
  const hash = createHash('sha256');
  try {
    const source = opened.handle.createReadStream({ autoClose: false });
    source.on('data', (chunk) => hash.update(chunk));
    await pipeline(source, createWriteStream(dest));
  } finally {
    await opened.handle.close();
  }
  if (hash.digest('hex') !== hashed[ref.path]) {
    throw new StepError('retryable', `${ref.written} changed while the plan read it: it is read again`);
  }
}

/**
 * How many ffmpeg or ffprobe runs a plan step makes on a script's media at once: at least four, as a
 * short run is mostly start-up, which overlaps well even on two cores.
 */
export function mediaRunLimit(): LimitFunction {
  return pLimit(Math.max(4, availableParallelism()));
}

/**
 * Large stills are made smaller two at a time in this process: decoding a 16384-pixel still takes up
 * to a gigabyte, and the plan step runs four media jobs at once (mediaRunLimit).
 */
const fitTwoAtATime = pLimit(2);

/**
 * Copies a script's still to `dest` (copyCheckedMedia), then makes sure ffmpeg reads it as a picture
 * of a size it can scale: an empty, broken or enormous file is the script's error, at its place, not
 * the encoder's failure after the narration. A still larger than a `frame` video can use is replaced by
 * a PNG of what it shows (still-fit.ts); the file the plan is to record is returned, with its name.
 */
export async function copyCheckedPicture(
  document: Pick<ScriptDocument, 'file'>,
  ref: MediaRef,
  places: MediaPlaces,
  dest: string,
  ffmpeg: { ffmpegPath: string; ffprobePath: string | null; signal?: AbortSignal },
  frame: Size,
  hashed: HashedMedia,
): Promise<{ path: string; name: string }> {
  await copyCheckedMedia(document, ref, places, IMAGE_MEDIA, dest, hashed);
  const size = await probePicture(ffmpeg.ffprobePath, ffmpeg.ffmpegPath, dest);
  const problem = pictureProblem(ref.written, size);
  if (problem) throw locatedError(document, ref, problem);
  // A size is known here: pictureProblem refuses a still without one.
  const fit = size && stillFit(size, frame);
  if (!fit) return { path: dest, name: basename(ref.written) };
  const fitted = `${dest}.png`;
  try {
    await fitTwoAtATime(() => writeFittedStill(ffmpeg.ffmpegPath, dest, frame, fitted, ffmpeg.signal));
  } catch (error) {
    throw locatedError(document, ref, `image "${shorten(ref.written)}": ${(error as Error).message}`);
  } finally {
    await rm(dest, { force: true });
  }
  return { path: fitted, name: `${parse(ref.written).name}.png` };
}

/** The checksum of the file `ref` names, for a step's input hash; 'refused' when it is refused (run() reports it). */
export async function checkedMediaChecksum(
  ref: MediaRef,
  places: MediaPlaces,
  kind: MediaKind,
): Promise<string> {
  const opened = await openCheckedMedia(ref, places, kind);
  if (!opened.ok) return 'refused';
  try {
    return (await sha256Stream(opened.handle.createReadStream({ autoClose: false }))).sha256;
  } finally {
    await opened.handle.close();
  }
}

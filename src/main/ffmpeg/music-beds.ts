/**
 * Bundled music beds, made here from generated sound: each is declared as a synthesis recipe for
 * ffmpeg's own sources (no file of unknown licence ships with the app) and rendered on first use into
 * the data folder's cache. Every frequency fits a whole number of times into the bed's length and
 * every tremolo a whole number of cycles, so a bed loops without a click.
 * The graphs are code, not data a user edits: a filter graph can read files, so none comes from a row.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { partialPathFor } from '../util/atomic-file.ts';
import { sha256Hex } from '../util/hash.ts';
import { FfmpegError } from './errors.ts';
import { captureOutput } from './exec.ts';

export interface BundledBed {
  description: string;
  seconds: number;
  /** A filter graph of sources only, ending in [bed]. */
  graph: string;
}

const RATE = 48_000;
const tone = (frequency: number, level: number, seconds: number, tremolo = '') =>
  `sine=f=${frequency}:r=${RATE}:d=${seconds},volume=${level}${tremolo ? `,tremolo=${tremolo}` : ''}`;

/** A warm A-major pad with a slowly moving upper voice (A2 E3 A3 C#4 E4, just intonation). */
const SOFT_PAD_SECONDS = 32;
const softPad = [
  `${tone(110, 0.5, SOFT_PAD_SECONDS)}[p0]`,
  `${tone(165, 0.35, SOFT_PAD_SECONDS, 'f=0.125:d=0.5')}[p1]`,
  `${tone(220, 0.3, SOFT_PAD_SECONDS)}[p2]`,
  `${tone(275, 0.22, SOFT_PAD_SECONDS, 'f=0.25:d=0.6')}[p3]`,
  `${tone(330, 0.15, SOFT_PAD_SECONDS, 'f=0.375:d=0.5')}[p4]`,
  '[p0][p1][p2][p3][p4]amix=inputs=5,volume=4,lowpass=f=1500,aformat=sample_fmts=s16:channel_layouts=stereo[bed]',
].join(';');

export const BUNDLED_BEDS: Readonly<Record<string, BundledBed>> = {
  'soft-pad': { description: 'a warm A-major pad', seconds: SOFT_PAD_SECONDS, graph: softPad },
};

export const BUNDLED_BED_NAMES = Object.keys(BUNDLED_BEDS);

/**
 * The bed's file, rendered now if the cache lacks it. Its name carries a hash of its recipe: a
 * changed recipe is a new file, and a plan naming the old bytes is never silently given others.
 */
export async function bundledBedFile(name: string, ffmpegPath: string, cacheDir: string): Promise<string> {
  const bed = BUNDLED_BEDS[name];
  if (!bed) throw new FfmpegError('invalid-request', `no bundled music bed "${name}"`);
  const path = join(cacheDir, `${name}-${sha256Hex(`${bed.seconds}\n${bed.graph}`).slice(0, 16)}.flac`);
  if ((await stat(path).catch(() => null))?.isFile()) return path;
  await mkdir(cacheDir, { recursive: true });
  const partial = `${partialPathFor(path)}.flac`;
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];
  args.push(
    '-filter_complex',
    bed.graph,
    '-map',
    '[bed]',
    '-t',
    String(bed.seconds),
    '-c:a',
    'flac',
    partial,
  );
  const out = await captureOutput(ffmpegPath, args);
  if (out.code !== 0) {
    await rm(partial, { force: true });
    throw new FfmpegError('encode-failed', `cannot make the music bed "${name}": ${out.stderr.trim()}`);
  }
  await rename(partial, path);
  return path;
}

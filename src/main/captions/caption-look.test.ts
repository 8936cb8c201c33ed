/**
 * Caption styles measured on rendered frames: each ASS file is burned by libass (through ffmpeg's
 * subtitles filter, given a font folder holding only the style's bundled font, as a render plan does)
 * onto a plain background, and the pixels are read back.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTION_FONTS, type CaptionLook } from '../../shared/caption-styles.ts';
import { SEED_CAPTION_STYLES } from '../db/seed-data.ts';
import { buildAss } from './ass.ts';
import type { CaptionCue, TimedWord } from './types.ts';

const run = promisify(execFile);
const FONTS = join(import.meta.dirname, '../../../resources/fonts');
const BACKGROUND = '0x4a6fa5';
const seeded = (slug: string) => SEED_CAPTION_STYLES.find((style) => style.slug === slug) as CaptionLook;
const CLEAN = seeded('clean');
const BOLD = seeded('bold-highlight');
const TEXT = 'Bees talk with their bodies, and every dance says where the flowers are today.';
const CUES: CaptionCue[] = [
  { index: 0, sceneIndex: 0, text: TEXT, startMs: 0, endMs: 4000 },
  { index: 1, sceneIndex: 0, text: 'Short line.', startMs: 4200, endMs: 5200 },
];
/** Words of the first cue every 250 ms from 0.25 s. */
const WORDS: TimedWord[] = TEXT.split(' ').map((text, i) => ({
  text,
  startMs: 250 + i * 250,
  endMs: 250 + i * 250 + 200,
  cueIndex: 0,
}));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vf-caption-look-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Frame {
  width: number;
  height: number;
  rgb: Buffer;
}

let renders = 0;
/** The frame at `seconds` of `ass` burned onto a plain background, drawn with only `font`'s file. */
async function renderFrame(ass: string, font: CaptionLook['font'], size: [number, number], seconds = 1) {
  const work = join(dir, `render-${renders++}`);
  await mkdir(join(work, 'fonts'), { recursive: true });
  await copyFile(join(FONTS, CAPTION_FONTS[font].file), join(work, 'fonts', CAPTION_FONTS[font].file));
  await writeFile(join(work, 'captions.ass'), ass);
  const [width, height] = size;
  const { stdout } = await run(
    'ffmpeg',
    [
      ...['-v', 'error', '-nostdin', '-f', 'lavfi', '-i', `color=c=${BACKGROUND}:s=${width}x${height}:d=6`],
      ...['-vf', `subtitles=filename=captions.ass:fontsdir=fonts`, '-ss', String(seconds)],
      ...['-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    ],
    { cwd: work, encoding: 'buffer', maxBuffer: 64 << 20 },
  );
  return { width, height, rgb: stdout } satisfies Frame;
}

function psnr(a: Frame, b: Frame): number {
  let squares = 0;
  for (let i = 0; i < a.rgb.length; i++) squares += ((a.rgb[i] as number) - (b.rgb[i] as number)) ** 2;
  const mse = squares / a.rgb.length;
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(255 ** 2 / mse);
}

type Region = ReturnType<typeof region>;

/** Pixels that pass `test`, with their bounding box and centre. */
function region(frame: Frame, test: (r: number, g: number, b: number) => boolean) {
  let count = 0;
  let sumX = 0;
  let sumY = 0;
  const box = { left: frame.width, right: -1, top: frame.height, bottom: -1 };
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const at = (y * frame.width + x) * 3;
      if (!test(frame.rgb[at] as number, frame.rgb[at + 1] as number, frame.rgb[at + 2] as number)) continue;
      count++;
      sumX += x;
      sumY += y;
      box.left = Math.min(box.left, x);
      box.right = Math.max(box.right, x);
      box.top = Math.min(box.top, y);
      box.bottom = Math.max(box.bottom, y);
    }
  }
  return { count, x: sumX / count, y: sumY / count, ...box };
}

/** The highlight colour #FFD400 (with antialiased edges left out). */
const isHighlight = (r: number, g: number, b: number) => r > 200 && g > 160 && g < 240 && b < 90;
const isWhite = (r: number, g: number, b: number) => r > 230 && g > 230 && b > 230;

describe('caption styles on rendered frames', () => {
  it('"clean" draws what captions looked like before styles (PSNR against the old ASS)', async () => {
    const before = await readFile(join(import.meta.dirname, 'fixtures', 'before-styles-1080p.ass'), 'utf8');
    const size: [number, number] = [1920, 1080];
    const reference = await renderFrame(before, 'dejavu-sans-bold', size);
    const clean = await renderFrame(
      buildAss(CUES, { width: 1920, height: 1080, look: CLEAN }),
      CLEAN.font,
      size,
    );
    expect(region(clean, isWhite).count).toBeGreaterThan(5000);
    // A one-pixel wider outline scores 34 dB, a barely ivory text 47 dB: 50 dB means the same look.
    expect(psnr(clean, reference)).toBeGreaterThanOrEqual(50);
  });

  it('"bold-highlight" lights the spoken word: the lit region moves along the caption with the words', async () => {
    const size: [number, number] = [540, 960];
    const ass = buildAss(CUES, { width: 540, height: 960, look: BOLD, words: WORDS });
    const at = (word: number) => ((WORDS[word] as TimedWord).startMs + 100) / 1000;
    const [talk, withWord, every] = await Promise.all(
      [1, 2, 5].map(async (word) => region(await renderFrame(ass, BOLD.font, size, at(word)), isHighlight)),
    ).then((regions) => regions as [Region, Region, Region]);
    for (const lit of [talk, withWord, every]) expect(lit.count).toBeGreaterThan(150);
    // "TALK" then "WITH" on the first line: the lit word moves right, not down.
    expect(withWord.left).toBeGreaterThan(talk.right);
    expect(Math.abs(withWord.y - talk.y)).toBeLessThan(5);
    // "EVERY" is on the second line.
    expect(every.top).toBeGreaterThan(talk.bottom);
    // Nothing is lit before the first word, or with a style that lights nothing.
    const before = await renderFrame(ass, BOLD.font, size, 0.1);
    expect(region(before, isHighlight).count).toBe(0);
    expect(region(before, isWhite).count).toBeGreaterThan(500);
    const plain = buildAss(CUES, {
      width: 540,
      height: 960,
      look: { ...BOLD, wordHighlight: 'none' },
      words: WORDS,
    });
    expect(region(await renderFrame(plain, BOLD.font, size, at(2)), isHighlight).count).toBe(0);
  });

  it('draws the style’s font, position, size and colours', async () => {
    const size: [number, number] = [960, 540];
    const short = [{ index: 0, sceneIndex: 0, text: 'Bees talk', startMs: 0, endMs: 3000 }];
    const textOf = async (look: CaptionLook, test = isWhite) =>
      region(await renderFrame(buildAss(short, { width: 960, height: 540, look }), look.font, size), test);
    const regular = await textOf(CLEAN);
    const condensed = await textOf({ ...CLEAN, font: 'dejavu-sans-condensed-bold' });
    const wide = (r: { left: number; right: number }) => r.right - r.left;
    expect(wide(condensed)).toBeLessThan(wide(regular) * 0.95);
    expect(regular.bottom).toBeGreaterThan(540 * 0.8);
    const top = await textOf({ ...CLEAN, position: 'top' });
    expect(top.top).toBeLessThan(540 * 0.2);
    const middle = await textOf({ ...CLEAN, position: 'middle' });
    expect(Math.abs(middle.y - 270)).toBeLessThan(20);
    const bigger = await textOf({ ...CLEAN, size: 112 });
    expect(bigger.bottom - bigger.top).toBeGreaterThan((regular.bottom - regular.top) * 1.7);
    const red = await textOf(
      { ...CLEAN, outlineColour: '#FF0000', outline: 6 },
      (r, g, b) => r > 200 && g < 60 && b < 60,
    );
    expect(red.count).toBeGreaterThan(300);
    expect(await textOf(CLEAN, (r, g, b) => r > 200 && g < 60 && b < 60)).toMatchObject({ count: 0 });
  });
});

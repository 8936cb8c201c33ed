import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { DEFAULT_TITLE_LOOK } from '../../shared/title-card.ts';
import { runEncode } from './encode-job.ts';
import {
  asset,
  FFMPEG,
  FFPROBE,
  FONT_PATH,
  makeSineWav,
  makeSolidImage,
  makeTempDir,
  tinyPlan,
} from './test-fixtures.ts';

type Rgb = readonly [number, number, number];
const RED: Rgb = [255, 0, 0];
const TEAL: Rgb = [0, 150, 140];
const BLUE: Rgb = [40, 60, 220];
const AMBER: Rgb = [224, 160, 32];
const GREEN: Rgb = [0, 200, 0];
const ORANGE: Rgb = [220, 156, 27];
const hex = (rgb: Rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;

/** A 720p clip of one colour in BT.709, untagged: what many tools write, and players show as BT.709. */
function untaggedHdClip(path: string, rgb: Rgb): string {
  execFileSync(FFMPEG, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${hex(rgb)}:s=1280x720:r=20:d=2`],
    ...['-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p'],
    ...['-c:v', 'libx264', '-qp', '0', path],
  ]);
  return path;
}

/** Frame `n`'s pixel at (x, y), decoded the way an HD player does: BT.709, limited range. */
function pixelAsPlayed(path: string, n: number, x: number, y: number): number[] {
  const raw = execFileSync(FFMPEG, [
    ...['-v', 'error', '-i', path, '-map', '0:v:0'],
    ...['-vf', `select=eq(n\\,${n}),scale=in_color_matrix=bt709:in_range=tv,format=rgb24`],
    ...['-frames:v', '1', '-f', 'rawvideo', '-'],
  ]);
  const at = (y * 320 + x) * 3;
  return [raw[at], raw[at + 1], raw[at + 2]] as number[];
}

const distance = (pixel: number[], rgb: Rgb) =>
  Math.max(...rgb.map((v, i) => Math.abs(v - (pixel[i] ?? -999))));

describe('the colours a player shows (a real encode, 320x180 at 20 fps, lossless)', () => {
  const temp = makeTempDir('vf-colors-');
  let out: string;

  beforeAll(async () => {
    const base = tinyPlan();
    const plan: RenderPlan = tinyPlan({
      output: { ...base.output, fps: 20, crf: 0 },
      durationMs: 5000,
      assets: {
        narration: asset('audio', 'narration.wav'),
        red: asset('image', 'red.png'),
        teal: asset('image', 'teal.jpg'),
        blue: asset('image', 'blue.png'),
        clip: asset('video', 'clip.mp4'),
        font: asset('font', 'DejaVuSans-Bold.ttf'),
      },
      scenes: [
        { startMs: 0, durationMs: 1000, visual: { kind: 'image', asset: 'red', motion: 'none' } },
        { startMs: 1000, durationMs: 1000, visual: { kind: 'image', asset: 'teal', motion: 'zoom-in' } },
        { startMs: 2000, durationMs: 1000, visual: { kind: 'image', asset: 'blue', motion: 'pan-left' } },
        { startMs: 3000, durationMs: 1000, visual: { kind: 'color', color: hex(AMBER) } },
        { startMs: 4000, durationMs: 1000, visual: { kind: 'clip', asset: 'clip', loop: false } },
      ],
      // A green full block in the middle of the first second; nothing dimmed around it.
      titleCard: {
        text: { title: '\u2588' },
        font: 'font',
        look: { ...DEFAULT_TITLE_LOOK, titleColor: hex(GREEN), titleSize: 0.3, dim: 0 },
        durationMs: 1000,
        fadeOutMs: 0,
      },
    });
    const result = await runEncode({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan,
      assetPaths: {
        narration: makeSineWav(join(temp.dir, 'narration.wav'), 5),
        red: makeSolidImage(join(temp.dir, 'red.png'), hex(RED)),
        teal: makeSolidImage(join(temp.dir, 'teal.jpg'), hex(TEAL)),
        blue: makeSolidImage(join(temp.dir, 'blue.png'), hex(BLUE)),
        clip: untaggedHdClip(join(temp.dir, 'clip.mp4'), ORANGE),
        font: FONT_PATH,
      },
      outPath: join(temp.dir, 'colors.mp4'),
      encoder: 'libx264',
    });
    out = result.outPath;
  });
  afterAll(() => temp.cleanup());

  it('says BT.709 at limited range in the stream, as HD players assume', () => {
    const tags = execFileSync(FFPROBE, [
      ...['-v', 'error', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=color_range,color_space,color_transfer,color_primaries', '-of', 'json'],
      out,
    ]).toString();
    expect(JSON.parse(tags).streams[0]).toEqual({
      color_range: 'tv',
      color_space: 'bt709',
      color_transfer: 'bt709',
      color_primaries: 'bt709',
    });
  });

  // swscale's default, BT.601, played as BT.709: pure red showed as 255,23,0. (Captions keep the
  // subtitles filter's own conversion: see video-colors.ts.)
  it('shows each picture, colour and title in the colour it was made in', () => {
    const cases: [what: string, frame: number, x: number, y: number, rgb: Rgb][] = [
      ['a PNG still', 10, 20, 20, RED],
      ['the title over it', 10, 160, 90, GREEN],
      ['a JPEG (BT.601) zooming', 30, 20, 20, TEAL],
      ['a PNG panning', 50, 20, 20, BLUE],
      ['a colour scene', 70, 160, 90, AMBER],
      // Passed as it is: the scaler read it as BT.601 and moved it to 211,156,33.
      ['an untagged HD clip', 90, 160, 90, ORANGE],
    ];
    for (const [what, frame, x, y, rgb] of cases) {
      const pixel = pixelAsPlayed(out, frame, x, y);
      expect({ what, pixel, off: distance(pixel, rgb) <= 4 }).toEqual({ what, pixel, off: true });
    }
  });
});

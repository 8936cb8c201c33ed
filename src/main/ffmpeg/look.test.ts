/**
 * The look of the picture pipeline (issue 15): the keyframed pipeline must look like the zoompan pipeline
 * it replaced (PSNR >= 38 dB on frames sampled across the video) and move smoothly (no frame-to-frame step
 * more than 1.5x the median step of its scene), on a plan with zooms and pans both ways, a caption and
 * scene changes. Both renders are lossless, so the differences measured are the pipelines' own.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sceneFrameStarts } from '../../shared/plan-frames.ts';
import type { Motion, RenderPlan } from '../../shared/render-plan.ts';
import { buildEncodeCommand } from './command.ts';
import { runEncode, writeSideFiles } from './encode-job.ts';
import { decodeGrey, median, motionSteps, sampledPsnr } from './look-metrics.ts';
import type { Size } from './motion-geometry.ts';
import {
  asset,
  FFMPEG,
  FFPROBE,
  FONT_PATH,
  makeSineWav,
  makeTempDir,
  tinyPlan,
  writeAssCues,
} from './test-fixtures.ts';

const OUTPUT: Size = { width: 640, height: 360 };
const FPS = 30;
/** Scenes of 5 s: each move is slow (under half a pixel a frame in the corners), where jerks show most. */
const SCENE_MS = 5000;
const MOTIONS: Motion[] = ['zoom-in', 'zoom-out', 'pan-left', 'pan-right'];
/** Blobs are followed with windows this size; they are ~5 px wide at the output size. */
const RADIUS = 12;
/** The caption sits in the lower part of the frame: blobs there are not followed. */
const CAPTION_TOP = 0.7 * OUTPUT.height;

/**
 * A photo-like still (smooth colour gradients) strewn with soft bright blobs for the motion measurement,
 * written as PPM and converted to PNG by ffmpeg.
 */
function makeBlobStill(path: string, width = 1200, height = 800): string {
  const pixels = Buffer.alloc(width * height * 3);
  const sigma = width / 170;
  const blobs: { x: number; y: number }[] = [];
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 5; j++)
      blobs.push({ x: (0.1 + 0.8 * (i / 7)) * width, y: (0.12 + 0.76 * (j / 4)) * height });
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let glow = 0;
      for (const b of blobs) {
        const d2 = (x - b.x) ** 2 + (y - b.y) ** 2;
        if (d2 < (5 * sigma) ** 2) glow += Math.exp(-d2 / (2 * sigma * sigma));
      }
      const at = (y * width + x) * 3;
      pixels[at] = Math.min(255, 60 + (100 * x) / width + 150 * glow);
      pixels[at + 1] = Math.min(255, 50 + (80 * y) / height + 150 * glow);
      pixels[at + 2] = Math.min(255, 120 - (60 * x) / width + 130 * glow);
    }
  }
  const ppm = `${path}.ppm`;
  writeFileSync(ppm, Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`), pixels]));
  execFileSync(FFMPEG, ['-v', 'error', '-y', '-i', ppm, path]);
  return path;
}

describe('picture pipeline look (issue 15)', () => {
  const temp = makeTempDir('vf-look-');
  const paths: Record<string, string> = {};
  let plan: RenderPlan;
  let keyframed: string;
  let reference: string;

  beforeAll(async () => {
    paths.img = makeBlobStill(join(temp.dir, 'blobs.png'));
    paths.narration = makeSineWav(join(temp.dir, 'narration.wav'), (MOTIONS.length * SCENE_MS) / 1000);
    // One caption across the first scene change, one in the last scene.
    paths.captions = writeAssCues(
      join(temp.dir, 'captions.ass'),
      [
        { startS: 3.5, endS: 6.5, text: 'A caption across a cut' },
        { startS: 16, endS: 19, text: 'And one more' },
      ],
      16,
    );
    paths.font = FONT_PATH;
    const base = tinyPlan();
    plan = tinyPlan({
      output: { ...base.output, ...OUTPUT, fps: FPS, crf: 0, speedPreset: 'ultrafast' },
      durationMs: MOTIONS.length * SCENE_MS,
      assets: {
        img: asset('image', 'blobs.png'),
        narration: asset('audio', 'narration.wav'),
        captions: asset('subtitles', 'captions.ass'),
        font: asset('font', 'DejaVuSans-Bold.ttf'),
      },
      scenes: MOTIONS.map((motion, i) => ({
        startMs: i * SCENE_MS,
        durationMs: SCENE_MS,
        visual: { kind: 'image' as const, asset: 'img', motion },
      })),
      captions: { asset: 'captions', font: 'font', burnIn: true },
    });
    const result = await runEncode({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan,
      assetPaths: paths,
      outPath: join(temp.dir, 'keyframed.mp4'),
      encoder: 'libx264',
    });
    keyframed = result.outPath;
    reference = join(temp.dir, 'reference.mp4');
    const command = buildEncodeCommand({
      plan,
      assetPaths: paths,
      outPath: reference,
      encoder: 'libx264',
      picture: 'zoompan-reference',
    });
    await writeSideFiles(command.files);
    execFileSync(FFMPEG, command.args);
  }, 240_000);
  afterAll(() => temp.cleanup());

  /** Each scene's frames (one continuous move), from a decoded video. */
  const scenesOf = (path: string) => {
    const frames = decodeGrey(FFMPEG, path, OUTPUT);
    const starts = sceneFrameStarts(plan);
    return MOTIONS.map((motion, i) => ({ motion, frames: frames.slice(starts[i], starts[i + 1]) }));
  };
  const notUnderCaption = (p: { y: number }) => p.y < CAPTION_TOP - RADIUS;

  it('looks like the zoompan pipeline: PSNR >= 38 dB on frames sampled across the video', () => {
    const psnr = sampledPsnr(FFMPEG, keyframed, reference, 10);
    expect(psnr).toHaveLength(Math.ceil((MOTIONS.length * SCENE_MS * FPS) / 1000 / 10));
    expect(Math.min(...psnr)).toBeGreaterThanOrEqual(38);
  });

  it('moves smoothly: no step more than 1.5x the median step of its scene', () => {
    for (const { motion, frames } of scenesOf(keyframed)) {
      const { steps, blobs } = motionSteps(frames, OUTPUT, RADIUS, notUnderCaption);
      expect(blobs, motion).toBeGreaterThanOrEqual(12);
      const ratio = Math.max(...steps) / median(steps);
      expect(median(steps), motion).toBeGreaterThan(0.2);
      expect(ratio, `${motion}: largest step ÷ median step`).toBeLessThanOrEqual(1.5);
    }
  });

  it('the measure catches the jerks of a whole-pixel window: the zoompan reference fails it', () => {
    const ratios = scenesOf(reference).map(({ frames }) => {
      const { steps } = motionSteps(frames, OUTPUT, RADIUS, notUnderCaption);
      return Math.max(...steps) / median(steps);
    });
    for (const [i, ratio] of ratios.entries()) expect(ratio, MOTIONS[i]).toBeGreaterThan(1.5);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { probePicture } from './clip-media.ts';
import { buildEncodeCommand, type EncodeCommandInput } from './command.ts';
import { isFfmpegError } from './errors.ts';
import { coverChain } from './filters.ts';
import { encoderMaxPixels, maxStillPixels, scenesPerEncode } from './scene-budget.ts';
import { stillFit, writeFittedStill } from './still-fit.ts';
import { FFMPEG, FFPROBE, makeImage, makeSineWav, makeTempDir, tinyPlan } from './test-fixtures.ts';

const temp = makeTempDir('vf-scene-budget-');
afterAll(() => temp.cleanup());

const HD = { width: 1920, height: 1080 };

/** A plan of `count` one-second scenes of colour at `size`. */
function scenesPlan(count: number, size = HD): RenderPlan {
  const base = tinyPlan();
  return tinyPlan({
    output: { ...base.output, ...size },
    durationMs: count * 1000,
    assets: { narration: base.assets.narration as RenderPlan['assets'][string] },
    scenes: Array.from({ length: count }, (_, i) => ({
      startMs: i * 1000,
      durationMs: 1000,
      visual: { kind: 'color' as const, color: '#203040' },
    })),
  });
}

function commandOf(plan: RenderPlan, assetPaths: Record<string, string>): EncodeCommandInput {
  return { plan, assetPaths, outPath: join(temp.dir, 'out', 'video.mp4'), encoder: 'libx264' };
}

/** Runs the command with real ffmpeg (side files written first); its exit status and last error line. */
function run(command: EncodeCommandInput): { status: number | null; stderr: string } {
  const { args, files } = buildEncodeCommand(command);
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.text);
  }
  mkdirSync(dirname(command.outPath), { recursive: true });
  const out = spawnSync(FFMPEG, args, { encoding: 'utf8' });
  return { status: out.status, stderr: out.stderr };
}

describe('how many scenes one encode holds', () => {
  it('is 16 at 1080p, 4 at 4K and more at smaller sizes; never under 2, and more when a video has very many', () => {
    expect(scenesPerEncode(scenesPlan(1))).toBe(16);
    expect(scenesPerEncode(scenesPlan(1, { width: 3840, height: 2160 }))).toBe(4);
    expect(scenesPerEncode(scenesPlan(1, { width: 1280, height: 720 }))).toBe(36);
    expect(scenesPerEncode(scenesPlan(1, { width: 7680, height: 4320 }))).toBe(2);
    expect(scenesPerEncode(scenesPlan(2000))).toBe(63);
  });

  it('refuses, before anything runs, an encode of more scenes than that, naming both numbers', () => {
    const narration = makeSineWav(join(temp.dir, 'narration.wav'), 1);
    expect(() => buildEncodeCommand(commandOf(scenesPlan(16), { narration }))).not.toThrow();
    let caught: unknown;
    try {
      buildEncodeCommand(commandOf(scenesPlan(17), { narration }));
    } catch (error) {
      caught = error;
    }
    expect(isFfmpegError(caught) && caught.kind).toBe('invalid-request');
    expect((caught as Error).message).toContain('holds 17 scenes; one encode holds at most 16 at 1920x1080');
  });
});

describe('a still larger than a plan step makes', () => {
  it('is refused by the encoder as it opens it, while one at the bound encodes', () => {
    const narration = makeSineWav(join(temp.dir, 'narration-1s.wav'), 1);
    // 320x180: the bound is the floor, 2048x2048 pixels.
    expect(maxStillPixels({ width: 320, height: 180 })).toBe(2048 * 2048);
    const planWith = (img: string) =>
      commandOf(
        tinyPlan({
          durationMs: 1000,
          scenes: [
            { startMs: 0, durationMs: 1000, visual: { kind: 'image', asset: 'img', motion: 'zoom-in' } },
          ],
        }),
        { img, narration },
      );
    // The row as libavcodec counts it may be wider than the picture: a little past the bound still opens.
    expect(encoderMaxPixels({ width: 320, height: 180 })).toBe(2048 * 2048 + 128 * 16_384);
    const nearBound = makeImage(join(temp.dir, 'near-bound.png'), 2000, 2097);
    expect(run(planWith(nearBound)).status).toBe(0);
    const over = makeImage(join(temp.dir, 'over.png'), 2048, 3200);
    const refused = run(planWith(over));
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('exceeds specified max pixel count');
  });
});

describe('fitting a still to the video', () => {
  const VERTICAL = { width: 1080, height: 1920 };

  it('leaves a still within the bound alone; crops a larger one only where neither the video nor the thumbnail looks, and scales it to the bound', () => {
    expect(stillFit({ width: 2048, height: 2048 }, { width: 320, height: 180 })).toBeNull();
    expect(stillFit({ width: 3840, height: 2160 }, HD)).toBeNull();
    // 16:9 video, wider than 16:9: the sides go; small enough then, it keeps its pixels.
    expect(stillFit({ width: 16000, height: 1000 }, HD)).toEqual({
      crop: { width: 1777, height: 1000 },
      scaled: { width: 1776, height: 1000 },
    });
    // Taller: top and bottom go.
    expect(stillFit({ width: 3000, height: 6000 }, HD)?.crop).toEqual({ width: 3000, height: 1687 });
    // A 4:3 photo in a 9:16 video: the thumbnail (16:9) shows its width, the video its height: all kept.
    expect(stillFit({ width: 4000, height: 3000 }, VERTICAL)?.crop).toEqual({ width: 4000, height: 3000 });
    for (const still of [
      { width: 16384, height: 16384 },
      { width: 16384, height: 90 },
      { width: 90, height: 16384 },
      { width: 5000, height: 4999 },
      { width: 6000, height: 4000 },
    ]) {
      for (const frame of [{ width: 320, height: 180 }, HD, VERTICAL, { width: 1080, height: 1080 }]) {
        const fit = stillFit(still, frame);
        if (!fit) {
          expect(still.width * still.height).toBeLessThanOrEqual(maxStillPixels(frame));
          continue;
        }
        expect(fit.scaled.width * fit.scaled.height).toBeLessThanOrEqual(maxStillPixels(frame));
        // Scaled, not squeezed: the crop's shape within a pixel or two.
        const aspect = (size: { width: number; height: number }) => size.width / size.height;
        expect(Math.abs(aspect(fit.scaled) / aspect(fit.crop) - 1)).toBeLessThan(0.02);
        // Nothing the video covers is cropped away.
        const cover = Math.max(frame.width / fit.crop.width, frame.height / fit.crop.height);
        expect(Math.max(frame.width / still.width, frame.height / still.height)).toBeLessThanOrEqual(cover);
      }
    }
  });

  it('writes a PNG of the size stillFit says, that shows what the original showed (PSNR ≥ 38 dB), and that the encoder opens', async () => {
    const narration = makeSineWav(join(temp.dir, 'narration-short.wav'), 1);
    for (const [frame, size] of [
      [
        { width: 320, height: 180 },
        { width: 4000, height: 2600 },
      ],
      // A portrait photo in a 9:16 video: fitted to 2160 wide, which libavcodec counts as 2176.
      [VERTICAL, { width: 2268, height: 4032 }],
    ] as const) {
      const original = makeImage(join(temp.dir, `big-${size.width}.png`), size.width, size.height);
      const fit = stillFit(size, frame);
      expect(fit).not.toBeNull();
      const fitted = join(temp.dir, `fitted-${size.width}.png`);
      await writeFittedStill(FFMPEG, original, frame, fitted);
      expect(await probePicture(FFPROBE, FFMPEG, fitted)).toEqual(fit?.scaled);
      // Both covered to the frame as a still scene is, and compared.
      const compared = spawnSync(
        FFMPEG,
        [
          ...['-hide_banner', '-i', original, '-i', fitted],
          ...[
            '-lavfi',
            `[0]${coverChain(frame)}[a];[1]${coverChain(frame)}[b];[a][b]psnr`,
            '-f',
            'null',
            '-',
          ],
        ],
        { encoding: 'utf8' },
      );
      const average = /PSNR .* average:([\d.]+|inf)/.exec(compared.stderr)?.[1];
      expect(average).toBeDefined();
      expect(average === 'inf' ? Number.POSITIVE_INFINITY : Number(average)).toBeGreaterThanOrEqual(38);
      const base = tinyPlan();
      const plan = tinyPlan({
        output: { ...base.output, ...frame },
        durationMs: 200,
        scenes: [
          { startMs: 0, durationMs: 200, visual: { kind: 'image', asset: 'img', motion: 'pan-left' } },
        ],
      });
      const encoded = run(commandOf(plan, { img: fitted, narration }));
      expect(encoded.stderr).toBe('');
      expect(encoded.status).toBe(0);
    }
  });
});

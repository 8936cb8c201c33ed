import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { DEFAULT_TITLE_LOOK } from '../../shared/title-card.ts';
import {
  asset,
  FFMPEG,
  FFPROBE,
  FONT_PATH,
  lightPixels,
  lumaFrame,
  makeImage,
  makeTempDir,
  tinyPlan,
} from './test-fixtures.ts';
import { makeThumbnail, THUMBNAIL_SIZE } from './thumbnail.ts';

function probeImage(path: string): { codec_name: string; width: number; height: number } {
  const out = execFileSync(
    FFPROBE,
    ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', path],
    { encoding: 'utf8' },
  );
  return JSON.parse(out).streams[0];
}

/** Mean of each of R, G and B over the whole picture. */
function meanRgb(path: string): [number, number, number] {
  const raw = execFileSync(FFMPEG, ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const sums: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < raw.length; i += 3) {
    sums[0] += raw[i] as number;
    sums[1] += raw[i + 1] as number;
    sums[2] += raw[i + 2] as number;
  }
  const n = raw.length / 3;
  return [sums[0] / n, sums[1] / n, sums[2] / n];
}

describe('thumbnail', () => {
  const temp = makeTempDir('vf-thumbnail-');
  afterAll(() => temp.cleanup());
  const { width, height } = THUMBNAIL_SIZE;
  const paths: Record<string, string> = { font: FONT_PATH };
  const darkScene: RenderPlan = tinyPlan({
    assets: { narration: asset('audio', 'n.wav'), font: asset('font', 'DejaVuSans-Bold.ttf') },
    scenes: [
      { startMs: 0, durationMs: 1200, visual: { kind: 'color', color: '#203040' } },
      { startMs: 1200, durationMs: 800, visual: { kind: 'color', color: '#ffffff' } },
    ],
  });
  const make = async (plan: RenderPlan, name: string) => {
    const outPath = join(temp.dir, name);
    await makeThumbnail({ ffmpegPath: FFMPEG, plan, assetPaths: paths, outPath, workDir: temp.dir });
    return outPath;
  };

  it('is a 1280x720 JPEG of the first scene with the title drawn in light letters over it', async () => {
    const look = DEFAULT_TITLE_LOOK;
    const plain = await make({ ...darkScene, thumbnail: { font: 'font', look } }, 'plain.jpg');
    const titled = await make(
      {
        ...darkScene,
        thumbnail: { font: 'font', look, text: { title: 'Rivers of Light', subtitle: 'Part one' } },
      },
      'titled.jpg',
    );
    expect(probeImage(titled)).toEqual({ codec_name: 'mjpeg', width, height });
    // The first scene's colour, not the second's white: luma of #203040 is ~45.
    expect(lightPixels(lumaFrame(plain, 0), width, height)).toBe(0);
    expect(lightPixels(lumaFrame(titled, 0), width, height)).toBeGreaterThan(5000);
  });

  it('uses the first scene’s image, scaled and cropped to cover', async () => {
    paths.img = makeImage(join(temp.dir, 'img.png'), 400, 300);
    const plan = tinyPlan({
      assets: {
        img: asset('image', 'img.png'),
        narration: asset('audio', 'n.wav'),
        font: asset('font', 'F.ttf'),
      },
      thumbnail: { font: 'font', look: DEFAULT_TITLE_LOOK },
    });
    const out = await make(plan, 'image.jpg');
    expect(probeImage(out)).toEqual({ codec_name: 'mjpeg', width, height });
    // makeImage is ffmpeg's testsrc: many colours, nothing like a flat fill.
    const [r, g, b] = meanRgb(out);
    expect(Math.max(r, g, b) - Math.min(r, g, b)).toBeLessThan(200);
  });

  it('uses the script’s own thumbnail image as it is: its colours dominate, no title over it', async () => {
    paths.own = join(temp.dir, 'own.png');
    execFileSync(FFMPEG, [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'color=c=0xe02020:s=640x480',
      '-frames:v',
      '1',
      paths.own,
    ]);
    const plan: RenderPlan = {
      ...darkScene,
      assets: { ...darkScene.assets, own: asset('image', 'own.png') },
      thumbnail: { image: 'own', font: 'font', look: DEFAULT_TITLE_LOOK, text: { title: 'Ignored' } },
    };
    const out = await make(plan, 'own.jpg');
    expect(probeImage(out)).toEqual({ codec_name: 'mjpeg', width, height });
    const [r, g, b] = meanRgb(out);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
  });
});

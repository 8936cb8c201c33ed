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
  makeSolidImage,
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
    // 4:3, blue in the middle and yellow in the outer eighths left and right: cropping to 16:9 cuts
    // the top and bottom only, so the yellow stays and the blue fills the middle.
    paths.img = join(temp.dir, 'img.png');
    execFileSync(FFMPEG, [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x2030d0:s=400x300'],
      ...['-vf', 'drawbox=x=0:y=0:w=50:h=300:c=0xe0e020:t=fill', '-frames:v', '1', paths.img],
    ]);
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
    const [r, g, b] = meanRgb(out);
    // Mostly the blue (7/8 of the width), some of the yellow: the picture, scaled to cover.
    expect(b).toBeGreaterThan(150);
    expect(r).toBeGreaterThan(40);
    expect(r).toBeLessThan(100);
    expect(g).toBeLessThan(120);
  });

  it('uses the first frame of a clip that opens the video', async () => {
    paths.clip = join(temp.dir, 'clip.mp4');
    // Green first, then red: the thumbnail is the first frame's green.
    execFileSync(FFMPEG, [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x20c020:s=320x240:d=0.5'],
      ...['-f', 'lavfi', '-i', 'color=c=0xc02020:s=320x240:d=0.5'],
      ...[
        '-filter_complex',
        '[0:v][1:v]concat=n=2:v=1',
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv420p',
        paths.clip,
      ],
    ]);
    const plan = tinyPlan({
      assets: {
        clip: asset('video', 'clip.mp4'),
        narration: asset('audio', 'n.wav'),
        font: asset('font', 'F.ttf'),
      },
      scenes: [{ startMs: 0, durationMs: 2000, visual: { kind: 'clip', asset: 'clip', loop: false } }],
      thumbnail: { font: 'font', look: DEFAULT_TITLE_LOOK },
    });
    const [r, g, b] = meanRgb(await make(plan, 'clip.jpg'));
    expect(g).toBeGreaterThan(150);
    expect(Math.max(r, b)).toBeLessThan(80);
  });

  it('uses the script’s own thumbnail image as it is: its colours dominate, no title over it', async () => {
    paths.own = makeSolidImage(join(temp.dir, 'own.png'), '0xe02020', 640, 480);
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

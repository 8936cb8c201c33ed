/**
 * examples/showcase: the script that uses every feature (its media beside it, made by
 * scripts/make-example-media.ts). It checks clean, and renders — at 360p to stay quick — into a video
 * whose plan really carries each feature, at the preset's loudness, with the script's own thumbnail.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderPlan } from '../src/shared/render-plan.ts';
import { ebur128 } from './support/audio.ts';
import { REPO, runVfo, tempDir } from './support/vfo.ts';

const SHOWCASE = join(REPO, 'examples', 'showcase', 'showcase.md');

interface JobSummary {
  status: string;
  output: string;
  error?: string;
  artifacts: { step: string; name: string; path: string; type?: string }[];
}

let dir: { path: string; remove(): Promise<void> };
let job: JobSummary;

beforeAll(async () => {
  dir = await tempDir('vfo-examples-');
  const env = { VFO_DATA_DIR: join(dir.path, 'data') };
  const out = join(dir.path, 'out');
  const result = await runVfo(
    ['render', SHOWCASE, '--video-preset', 'preview-360p', '--out', out, '--json'],
    env,
  );
  expect(result.code, result.stderr).toBe(0);
  job = (JSON.parse(result.stdout) as JobSummary[])[0] as JobSummary;
}, 240_000);
afterAll(async () => dir?.remove());

/** Mean R, G, B of an image (decoded by ffmpeg, scaled down). */
function meanRgb(path: string): [number, number, number] {
  const raw = execFileSync('ffmpeg', [
    '-v',
    'error',
    '-i',
    path,
    '-vf',
    'scale=64:36',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-',
  ]);
  const sum = [0, 0, 0];
  for (let i = 0; i < raw.length; i++) (sum[i % 3] as number) += raw[i] as number;
  const n = raw.length / 3;
  return sum.map((s) => s / n) as [number, number, number];
}

describe('examples/showcase', () => {
  it('checks clean: no warning, every media file found', async () => {
    const result = await runVfo(['check', SHOWCASE, '--json'], {});
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; diagnostics: unknown[]; scenes: number };
    expect(report).toMatchObject({ ok: true, diagnostics: [], scenes: 5 });
  });

  it('renders with every feature in its plan: pictures, a clip, two music beds, crossfades, a title card', async () => {
    expect(job.status, job.error).toBe('done');
    const planPath = job.artifacts.find((a) => a.step === 'plan' && a.name === 'plan')?.path as string;
    const plan = JSON.parse(await readFile(planPath, 'utf8')) as RenderPlan;
    expect(plan.scenes.map((s) => s.visual.kind)).toEqual(['image', 'clip', 'image', 'image', 'image']);
    expect(plan.transition).toEqual({ kind: 'crossfade', durationMs: 800 });
    expect(plan.titleCard).toBeDefined();
    // swell under the first three scenes, calm under the fourth, none under the last.
    const beds = new Set(plan.audio.music?.spans.map((s) => plan.assets[s.asset]?.name));
    expect(beds.size).toBe(2);
    const lastScene = plan.scenes.at(-1) as { startMs: number };
    expect(plan.audio.music?.spans.every((s) => s.startMs + s.durationMs <= lastScene.startMs + 1)).toBe(
      true,
    );
  });

  it('is at the preset’s loudness, and its thumbnail is the script’s own picture at 1280x720', async () => {
    const measured = await ebur128(job.output);
    expect(Math.abs(measured.integrated - -14)).toBeLessThanOrEqual(1);
    const thumbnail = job.output.replace(/\.mp4$/, '.jpg');
    const probed = execFileSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', thumbnail],
      { encoding: 'utf8' },
    );
    expect(probed.trim()).toBe('mjpeg,1280,720');
    // thumbnail.jpg is a purple-to-orange gradient: far more red than green on average.
    const [r, g] = meanRgb(thumbnail);
    expect(r - g).toBeGreaterThan(40);
  });
});

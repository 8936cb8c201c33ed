/**
 * One encode holds every scene of its graph in memory (ffmpeg/scene-budget.ts): a 1080p video of more
 * than 16 scenes is encoded in parts of at most 16, joined, even with local parts turned off, and a
 * large still reaches the encoder no larger than twice the frame.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../src/main/engine/blob-store.ts';
import { maxStillPixels, probePicture, scenesPerEncode, stillFit } from '../src/main/ffmpeg/index.ts';
import { splitPlan } from '../src/main/segments/split-plan.ts';
import { encodeSpan, planFrameCount } from '../src/shared/plan-frames.ts';
import { planOfJob, videoArtifactOf } from './farm/segment-support.ts';
import { runVfo, tempDir } from './support/vfo.ts';

const run = promisify(execFile);
const SCENES = 18;

let dir: { path: string; remove(): Promise<void> };
let jobId: string;
const dataDir = () => join(dir.path, 'data');

beforeAll(async () => {
  dir = await tempDir('vfo-scene-budget-');
  // A 4500x3000 photo in the first scene: more pixels than a 1080p video uses (4x its frame).
  await run('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=4500x3000:rate=1', '-frames:v', '1'],
    join(dir.path, 'photo.png'),
  ]);
  // And a clip as large (an 8K camera's, smaller): its frames are fitted as it is cut.
  await run('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=4500x3000:rate=5:duration=1'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(dir.path, 'big.mp4')],
  ]);
  const visual = (i: number) => (i === 0 ? ['[image photo.png]'] : i === 1 ? ['[clip big.mp4]'] : []);
  const scenes = Array.from({ length: SCENES }, (_, i) =>
    [`# Scene ${i + 1}`, '', ...visual(i), `Scene ${i + 1}.`, ''].join('\n'),
  );
  const script = join(dir.path, 'many.md');
  await writeFile(script, ['---', 'title: Many scenes', '---', '', ...scenes].join('\n'));
  const args = ['render', script, '--out', join(dir.path, 'out'), '--parts', '1', '--json'];
  const result = await runVfo(args, { VFO_DATA_DIR: dataDir() });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  jobId = (JSON.parse(result.stdout) as { id: string }[])[0]?.id as string;
}, 300_000);
afterAll(async () => dir?.remove());

describe(`a 1080p video of ${SCENES} scenes on one core`, () => {
  it('is encoded in parts of at most 16 scenes and joined: every frame of the plan, at its size', async () => {
    const origin = { dataDir: dataDir() };
    const plan = planOfJob(origin, jobId);
    expect(plan.scenes).toHaveLength(SCENES);
    expect(plan.output).toMatchObject({ width: 1920, height: 1080 });
    const video = videoArtifactOf(origin, jobId);
    expect(video.metadata).toMatchObject({ parts: 2, encoder: 'libx264' });
    const parts = splitPlan(plan, 1, { minSegmentMs: 0 });
    expect(parts.map((p) => encodeSpan(p).parts.length)).toEqual([16, 2]);
    expect(Math.max(...parts.map((p) => encodeSpan(p).parts.length))).toBeLessThanOrEqual(
      scenesPerEncode(plan),
    );
    const { stdout } = await run('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0', '-count_frames'],
      ...['-show_entries', 'stream=nb_read_frames,width,height', '-of', 'csv=p=0', video.path],
    ]);
    expect(stdout.trim()).toBe(`1920,1080,${planFrameCount(plan)}`);
  }, 120_000);

  it('received the large photo cropped to 16:9 and scaled to four times the frame’s pixels, as a PNG', async () => {
    const plan = planOfJob({ dataDir: dataDir() }, jobId);
    const photo = Object.values(plan.assets).find((a) => a.name.startsWith('photo'));
    expect(photo?.name).toBe('photo.png');
    const blob = new BlobStore(dataDir()).pathFor(photo?.sha256 as string);
    const size = await probePicture('/usr/bin/ffprobe', '/usr/bin/ffmpeg', blob);
    expect(size).toEqual(stillFit({ width: 4500, height: 3000 }, plan.output)?.scaled);
    expect(size).toEqual({ width: 3840, height: 2158 });
    expect(4500 * 3000).toBeGreaterThan(maxStillPixels(plan.output));
  });

  it('received the large clip cut with its frames fitted the same way', async () => {
    const plan = planOfJob({ dataDir: dataDir() }, jobId);
    const clip = Object.values(plan.assets).find((a) => a.name.startsWith('big'));
    expect(clip?.name).toMatch(/^big-0-\d+-fitted\.mp4$/);
    const { stdout } = await run('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0'],
      new BlobStore(dataDir()).pathFor(clip?.sha256 as string),
    ]);
    const [width, height] = stdout.trim().split(',').map(Number) as [number, number];
    expect(width * height).toBeLessThanOrEqual(maxStillPixels(plan.output));
    expect(width).toBeGreaterThanOrEqual(3800);
    expect(Math.abs(width / height - 16 / 9)).toBeLessThan(0.01);
  });
});

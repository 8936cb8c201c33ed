/**
 * Acceptance (issue 15): one machine encodes one video in several parts at once — the farm's split,
 * used locally — and the video equals the same plan encoded whole: the plan's frames, the same pictures
 * frame for frame, the same audio samples.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../src/main/engine/blob-store.ts';
import {
  type LoudnessFacts,
  linkPlanAssets,
  measureFileLoudness,
  measureVideoCaptionBox,
} from '../src/main/ffmpeg/index.ts';
import { waitFor } from '../src/main/ffmpeg/test-fixtures.ts';
import { readDb } from './farm/farm-support.ts';
import {
  encodeWhole,
  expectSameAsWhole,
  multiSceneScript,
  planOfJob,
  videoArtifactOf,
} from './farm/segment-support.ts';
import { runVfo, startVfo, tempDir } from './support/vfo.ts';

const run = promisify(execFile);

let dir: { path: string; remove(): Promise<void> };
let jobId: string;
const dataDir = () => join(dir.path, 'data');

/** md5 of the decoded audio samples. */
async function audioMd5(path: string): Promise<string> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:a:0', '-f', 'md5', '-']);
  return stdout.trim();
}

/** The data the job's step of `kind` recorded with its result. */
function stepData<T>(kind: string): T | undefined {
  const [row] = readDb<{ refs: string }>(
    dataDir(),
    'SELECT output_refs AS refs FROM job_steps WHERE job_id = ? AND kind = ?',
    jobId,
    kind,
  );
  return (JSON.parse(row?.refs ?? '{}') as { data?: T }).data;
}

beforeAll(async () => {
  dir = await tempDir('vfo-local-parts-');
  // 12 scenes of ~3 s: long enough for three parts of at least ten seconds (the default minimum).
  const script = join(dir.path, 'parts.md');
  await writeFile(script, multiSceneScript('local', 12));
  const args = ['render', script, '--out', join(dir.path, 'out'), '--video-preset', 'preview-360p'];
  const result = await runVfo([...args, '--parts', '3', '--json'], { VFO_DATA_DIR: dataDir() });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  jobId = (JSON.parse(result.stdout) as { id: string }[])[0]?.id as string;
}, 240_000);
afterAll(async () => dir?.remove());

describe('vfo render --parts 3', () => {
  it('encodes the video in three parts and it equals the whole encode frame for frame', async () => {
    const origin = { dataDir: dataDir() };
    const { video, plan } = await expectSameAsWhole(origin, jobId, dir.path);
    expect(video.metadata).toMatchObject({ parts: 3, encoder: 'libx264' });
    const whole = await encodeWhole(origin, plan, dir.path);
    expect(await audioMd5(video.path)).toBe(await audioMd5(whole));
  }, 120_000);

  it('draws the captions where the plan step measured them, as the encode would measure them itself', async () => {
    const origin = { dataDir: dataDir() };
    const recorded = stepData<{ captionBox?: unknown }>('render.plan')?.captionBox;
    // Measured on the plan step's own files (captions drawn once per caption state: a box, not null).
    expect(recorded).toMatchObject({ x: expect.any(Number), width: expect.any(Number) });
    const plan = planOfJob(origin, jobId);
    const blobs = new BlobStore(origin.dataDir);
    const work = await mkdtemp(join(dir.path, 'box-'));
    const { assetPaths, fontsDir } = await linkPlanAssets(plan, (sha) => blobs.pathFor(sha), work);
    const request = {
      ffmpegPath: '/usr/bin/ffmpeg',
      ffprobePath: '/usr/bin/ffprobe',
      plan,
      assetPaths,
      outPath: join(work, 'unused.mp4'),
      encoder: 'libx264',
      fontsDir,
    };
    expect(await measureVideoCaptionBox(request)).toEqual(recorded);
  }, 60_000);

  it('records the loudness of the finished video, measured on the audio track the join copied into it', async () => {
    const origin = { dataDir: dataDir() };
    const recorded = stepData<{ loudness?: LoudnessFacts }>('render.encode')?.loudness;
    const measured = await measureFileLoudness('ffmpeg', videoArtifactOf(origin, jobId).path);
    // The same packets decoded the same way: the same figures, not nearly.
    expect(recorded).toEqual(measured);
  }, 60_000);

  // Found by attacking the render path: a crash, or one failed part, encoded every part again.
  it('keeps the parts finished before a crash, and the video made of them equals the whole encode', async () => {
    const data = join(dir.path, 'data-crash');
    const args = ['render', join(dir.path, 'parts.md'), '--out', join(dir.path, 'crash')];
    const render = [...args, '--video-preset', 'preview-360p', '--parts', '3', '--json'];
    const child = startVfo(render, { VFO_DATA_DIR: data });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const keptRecords = () =>
      readdirSync(join(data, 'work'), { recursive: true, encoding: 'utf8' }).filter((p) =>
        /video-kept\/part-[0-9a-f]{32}\.json$/.test(p),
      );
    await waitFor(() => existsSync(join(data, 'work')) && keptRecords().length > 0, 180_000, 20);
    child.kill('SIGKILL');
    await exited;
    const finished = keptRecords().length;
    expect(finished).toBeGreaterThan(0);

    const result = await runVfo(render, { VFO_DATA_DIR: data });
    expect(result.code, result.stderr).toBe(0);
    const id = (JSON.parse(result.stdout) as { id: string }[])[0]?.id as string;
    const origin = { dataDir: data };
    const { video } = await expectSameAsWhole(origin, id, dir.path);
    expect(video.metadata).toMatchObject({ parts: 3, reusedParts: finished });
    // The kept folder goes once the video is done.
    expect(keptRecords()).toEqual([]);
  }, 300_000);

  it('renders whole with --parts 1', async () => {
    const data = join(dir.path, 'data-whole');
    const args = ['render', join(dir.path, 'parts.md'), '--out', join(dir.path, 'whole')];
    const result = await runVfo([...args, '--video-preset', 'preview-360p', '--parts', '1', '--json'], {
      VFO_DATA_DIR: data,
    });
    expect(result.code).toBe(0);
    const id = (JSON.parse(result.stdout) as { id: string }[])[0]?.id as string;
    const { metadata } = videoArtifactOf({ dataDir: data }, id);
    expect(metadata).toMatchObject({ encoder: 'libx264' });
    expect(metadata).not.toHaveProperty('parts');
  }, 120_000);
});

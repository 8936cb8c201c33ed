/**
 * Workers that do not work as advertised, on real `vfo node` processes on loopback, each behind a
 * stand-in ffmpeg (stand-in-ffmpeg.ts):
 * - tango's ffmpeg lists VideoToolbox: it proves each encoder with a trial encode (hevc_videotoolbox
 *   fails its trial and is not offered), and when h264_videotoolbox fails at run time the task is
 *   encoded with the preset's next encoder and the job records the fallback;
 * - a worker whose encodes all fail is blocked for the job after the limit (shown in status, cleared
 *   from the GUI), and a job that only blocked workers could run fails with that reason.
 * sierra is the origin of every job.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmStatus } from '../../src/shared/contract.ts';
import { probeMedia } from '../support/media.ts';
import { runVfo, tempDir } from '../support/vfo.ts';
import {
  deliveredBy,
  expectOneVideoAtOrigin,
  type FarmKeyFile,
  logEvents,
  longScript,
  makeFarmKey,
  type NodeProcess,
  readDb,
  startNode,
  statusOf,
  stopFarm,
  submitScript,
  type UiCall,
  uiSession,
  until,
  waitForJobs,
} from './farm-support.ts';
import { type StandInFfmpeg, standInFfmpeg } from './stand-in-ffmpeg.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let sierra: NodeProcess;
let tango: NodeProcess;
let sierraFfmpeg: StandInFfmpeg;
let tangoFfmpeg: StandInFfmpeg;
const ui = new Map<NodeProcess, UiCall>();

beforeAll(async () => {
  dir = await tempDir('vfo-farm-health-');
  key = await makeFarmKey(dir.path);
  sierraFfmpeg = await standInFfmpeg(join(dir.path, 'sierra-ffmpeg'), { videoToolbox: false });
  tangoFfmpeg = await standInFfmpeg(join(dir.path, 'tango-ffmpeg'), { videoToolbox: true });
  [sierra, tango] = await Promise.all([
    startNode({ root: dir.path, name: 'sierra', key, extraArgs: ['--ffmpeg', sierraFfmpeg.path] }),
    startNode({ root: dir.path, name: 'tango', key, extraArgs: ['--ffmpeg', tangoFfmpeg.path] }),
  ]);
  for (const node of [sierra, tango]) ui.set(node, await uiSession(key, node));
  await until(
    async () => {
      const s = await statusOf(key, sierra);
      return s.coordinator !== null && s.nodes.filter((n) => n.status === 'online').length === 2;
    },
    30_000,
    'sierra and tango to agree on a coordinator',
  );
}, 120_000);

afterAll(() => stopFarm(dir, key));

const call = (node: NodeProcess, method: string, args: unknown) =>
  (ui.get(node) as UiCall).call(method, args);
const nodeIn = (status: FarmStatus, node: NodeProcess) => status.nodes.find((n) => n.id === node.id);

async function setPaused(node: NodeProcess, paused: boolean): Promise<void> {
  const result = await runVfo([
    'farm',
    paused ? 'pause' : 'resume',
    node.name,
    '--node',
    sierra.url,
    '--farm-key-file',
    key.path,
  ]);
  expect(result.code, result.stderr).toBe(0);
}

describe('encoders that really work', () => {
  it('offers only the encoders that passed a trial encode, and falls back when the hardware one fails at run time', async () => {
    const status = await statusOf(key, sierra);
    // tango's ffmpeg lists hevc_videotoolbox too, but its trial encode failed.
    expect(nodeIn(status, tango)?.capabilities.encoders).toEqual(['libx264', 'libx265', 'h264_videotoolbox']);
    expect(nodeIn(status, sierra)?.capabilities.encoders).toEqual(['libx264', 'libx265']);
    expect(logEvents(tango, 'an encoder ffmpeg lists failed its trial encode; it is not used')).toMatchObject(
      [{ encoder: 'hevc_videotoolbox', reason: expect.stringContaining('-12908') }],
    );

    // Only tango works: the preview preset asks for h264_videotoolbox first, then libx264.
    await setPaused(sierra, true);
    const jobId = await submitScript(key, sierra, 'fallback.md', longScript('fallback', 2));
    const [job] = await waitForJobs(key, sierra, [jobId], 120_000);
    expect(job?.status, job?.error ?? '').toBe('done');
    const task = expectOneVideoAtOrigin(sierra, job as never);
    expect(deliveredBy([sierra, tango], sierra, task).name).toBe('tango');
    // VideoToolbox really was tried, refused, and libx264 made the video.
    expect(tangoFfmpeg.hardwareFailures()).toBe(1);
    expect((await probeMedia(job?.output as string)).videoCodec).toBe('h264');
    expect(
      logEvents(tango, 'the encoder failed at run time; encoding with the plan’s next one'),
    ).toMatchObject([{ from: 'h264_videotoolbox', to: 'libx264', reason: expect.stringMatching(/Error/) }]);
    // The job records it: a warning the user sees, and the video's metadata.
    const summary = await call(sierra, 'jobs.get', { id: jobId });
    expect(summary).toMatchObject({
      ok: true,
      value: {
        warnings: [expect.stringMatching(/^encoded with libx264: h264_videotoolbox failed at run time/)],
      },
    });
    const [video] = readDb<{ metadata: string }>(
      sierra.dataDir,
      "SELECT metadata FROM artifacts WHERE job_id = ? AND type = 'video'",
      jobId,
    );
    expect(JSON.parse(video?.metadata as string)).toMatchObject({
      encoder: 'libx264',
      farm: true,
      fallback: { from: 'h264_videotoolbox' },
    });
    // A fallback is not a failure of the task: nothing counted against tango.
    expect((await statusOf(key, sierra)).blocks).toEqual([]);
  });
});

describe('the per-job blocklist', () => {
  it('blocks a worker that failed 3 tasks of a job, shows it with "clear", and lets it work again when cleared', async () => {
    // sierra is still paused: tango alone takes the job, and its encodes all fail.
    await tangoFfmpeg.breakEncodes();
    const jobId = await submitScript(key, sierra, 'blocked.md', longScript('blocked', 2));
    const blocked = await until(
      async () => {
        const s = await statusOf(key, sierra);
        return s.blocks.length > 0 ? s : undefined;
      },
      120_000,
      'tango to be blocked for the job',
      500,
    );
    expect(blocked.blockLimit).toBe(3);
    expect(blocked.blocks).toEqual([
      {
        originNodeId: sierra.id,
        jobId,
        workerId: tango.id,
        workerName: 'tango',
        failures: 3,
        lastError: expect.stringMatching(/the encoder is broken on this worker/),
        updatedAt: expect.any(Number),
      },
    ]);
    // sierra could still run it (paused, but capable and not blocked): the job waits, it does not fail.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await statusOf(key, sierra)).tasks.find((t) => t.jobId === jobId)?.status).toBe('queued');
    expect((await call(sierra, 'jobs.get', { id: jobId })) as unknown).toMatchObject({
      ok: true,
      value: { status: 'running' },
    });

    // The operator mends tango and clears the block from tango's GUI: tango takes the job again.
    await tangoFfmpeg.mendEncodes();
    const cleared = await call(tango, 'farm.clearBlock', {
      originNodeId: sierra.id,
      jobId,
      workerId: tango.id,
    });
    expect(cleared).toEqual({ ok: true, value: { cleared: 1 } });
    const [job] = await waitForJobs(key, sierra, [jobId], 120_000);
    expect(job?.status, job?.error ?? '').toBe('done');
    expect(deliveredBy([sierra, tango], sierra, expectOneVideoAtOrigin(sierra, job as never)).name).toBe(
      'tango',
    );
    expect((await statusOf(key, sierra)).blocks).toEqual([]);
  });

  it('fails a job every capable worker is blocked for, with that reason, instead of waiting for ever', async () => {
    // Two failures each (set on both nodes: whichever coordinates reads its own setting).
    for (const node of [sierra, tango])
      expect(await call(node, 'settings.setBlockLimit', { maxTaskFailures: 2 })).toMatchObject({ ok: true });
    await sierraFfmpeg.breakEncodes();
    await tangoFfmpeg.breakEncodes();
    await setPaused(sierra, false);
    const jobId = await submitScript(key, sierra, 'hopeless.md', longScript('hopeless', 2));
    const [job] = await waitForJobs(key, sierra, [jobId], 120_000);
    expect(job).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(
        /every capable worker is blocked for this job .*each failed 2 or more of its tasks/,
      ),
    });
    const status = await statusOf(key, sierra);
    expect(
      status.blocks
        .filter((b) => b.jobId === jobId)
        .map((b) => [b.workerName, b.failures])
        .sort(),
    ).toEqual([
      ['sierra', 2],
      ['tango', 2],
    ]);
    // It failed on the blocks, before the task's attempts (5) ran out.
    expect(status.tasks.find((t) => t.jobId === jobId)).toMatchObject({ status: 'failed', attempts: 4 });
    await sierraFfmpeg.mendEncodes();
    await tangoFfmpeg.mendEncodes();
  });
});

/**
 * The origin's side of a segmented encode, on a real database and real ffmpeg, with the coordinator
 * played by a fake client: how a video is split, what is submitted, what a failed segment costs, and
 * the joined result.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFrameCount } from '../../../shared/plan-frames.ts';
import type { AssetRef, RenderPlan } from '../../../shared/render-plan.ts';
import { migrateDatabase } from '../../db/open.ts';
import { ShutdownError, StepError } from '../../engine/errors.ts';
import { runEncode } from '../../ffmpeg/encode-job.ts';
import {
  FFMPEG,
  FFPROBE,
  makeImage,
  makeSineWav,
  makeTempDir,
  tinyPlan,
  waitFor,
} from '../../ffmpeg/test-fixtures.ts';
import { readVideoFacts } from '../../ffmpeg/verify.ts';
import { sha256File } from '../../util/hash.ts';
import type { Peer } from '../net/index.ts';
import { FarmEncoder } from './farm-encode.ts';
import { Origin } from './origin.ts';

const ref = (sha: string, kind: AssetRef['kind'], name: string): AssetRef => ({
  sha256: sha.repeat(64),
  size: 1,
  kind,
  name,
});

/** The coordinator as the origin sees it: every call recorded, every lease completion accepted. */
function fakeCoordinator() {
  const calls: { method: string; path: string; body: unknown }[] = [];
  /** Tasks the coordinator considers done: a submission of one answers "done". */
  const finished = new Set<string>();
  /** How long each answer takes (a coordinator far away, or busy). */
  const latency = { ms: 0 };
  return {
    calls,
    finished,
    latency,
    client: {
      async json<T>(_peer: Peer, method: string, path: string, body?: unknown): Promise<T> {
        calls.push({ method, path, body });
        if (latency.ms > 0) await new Promise((r) => setTimeout(r, latency.ms));
        if (path.endsWith('/complete')) return { result: 'accepted' } as T;
        const id = (body as { id?: string } | undefined)?.id ?? '';
        return { status: finished.has(id) ? 'done' : 'queued' } as T;
      },
    },
  };
}

describe('FarmEncoder on the origin', () => {
  const temp = makeTempDir('vf-farm-encode-');
  const blobs: Record<string, string> = {};
  let plan: RenderPlan;

  beforeAll(() => {
    blobs['a'.repeat(64)] = makeImage(join(temp.dir, 'img.png'));
    blobs['b'.repeat(64)] = makeSineWav(join(temp.dir, 'narration.wav'), 3);
    let start = 0;
    const scenes = [900, 700, 800, 600].map((durationMs) => {
      const scene = {
        startMs: start,
        durationMs,
        visual: { kind: 'image' as const, asset: 'img', motion: 'none' as const },
      };
      start += durationMs;
      return scene;
    });
    plan = tinyPlan({
      durationMs: start,
      assets: { img: ref('a', 'image', 'img.png'), narration: ref('b', 'audio', 'narration.wav') },
      scenes,
    });
  });
  afterAll(() => temp.cleanup());

  const blobPath = (sha: string) => blobs[sha] ?? join(temp.dir, 'missing', sha);
  const ffmpeg = async () => ({ ffmpegPath: FFMPEG, ffprobePath: FFPROBE, source: 'path' as const });

  /** An origin node over `sqlite` (a second one over the same database is that node restarted). */
  function makeOrigin(
    sqlite: Database.Database,
    coordinator: ReturnType<typeof fakeCoordinator>,
    slots: number,
  ) {
    const origin = new Origin({
      sqlite,
      dataDir: join(temp.dir, `node-${slots}`),
      nodeId: 'origin',
      selfUrl: () => 'http://127.0.0.1:1',
      client: coordinator.client,
      coordinator: () => ({ url: 'http://127.0.0.1:2', id: 'coordinator' }),
      ffmpeg,
      blobPath,
    });
    const encoder = new FarmEncoder({
      nodeId: 'origin',
      origin,
      ffmpeg,
      blobPath,
      capacity: () => [{ encoders: ['libx264'], freeSlots: slots }],
      policy: () => ({ minSegmentMs: 500 }),
      encodes: async () => [],
    });
    return { origin, encoder };
  }

  function setUp(slots: number) {
    const sqlite = new Database(':memory:');
    migrateDatabase(sqlite);
    const coordinator = fakeCoordinator();
    return { sqlite, coordinator, ...makeOrigin(sqlite, coordinator, slots) };
  }

  /** What a worker would upload for `task`: the segment encoded for real, then handed to the origin. */
  async function deliver(origin: Origin, task: { id: string; plan: RenderPlan }, lease: string) {
    const dir = join(temp.dir, 'worker', lease);
    const assetPaths = { img: blobs['a'.repeat(64)] as string };
    const result = await runEncode({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan: task.plan,
      assetPaths,
      outPath: join(dir, 'segment.mp4'),
      encoder: 'libx264',
    });
    const upload = join(temp.dir, `${lease}.mp4`);
    copyFileSync(result.outPath, upload);
    return origin.acceptUpload({
      taskId: task.id,
      leaseId: lease,
      tempPath: upload,
      // As the upload route checked it against the bytes received.
      sha256: (await sha256File(upload)).sha256,
      encoder: 'libx264',
      workerId: 'worker',
    });
  }

  type SubmittedTask = { id: string; plan: RenderPlan; requirements: { encoders: string[] } };
  const submittedTasks = (coordinator: ReturnType<typeof fakeCoordinator>) =>
    coordinator.calls.filter((c) => c.path === '/farm/v1/tasks').map((c) => c.body as SubmittedTask);

  it('retries a failed segment alone: the segments already back are kept, then joined into the whole video', async () => {
    const { origin, encoder, coordinator, sqlite } = setUp(3);
    const input = {
      jobId: 'job-1',
      plan,
      planSha256: 'd'.repeat(64),
      workDir: join(temp.dir, 'step-1'),
      signal: new AbortController().signal,
    };
    const first = encoder.encode(input);
    await waitFor(() => submittedTasks(coordinator).length === 3);
    const tasks = submittedTasks(coordinator);
    expect(tasks.map((t) => t.plan.segment?.index)).toEqual([0, 1, 2]);
    expect(tasks.every((t) => t.requirements.encoders.join() === 'libx264')).toBe(true);

    // Segments 0 and 2 come back; the farm gives up on segment 1: the step fails with the reason.
    expect(await deliver(origin, tasks[0] as never, 'lease-0')).toBe(true);
    expect(await deliver(origin, tasks[2] as never, 'lease-2')).toBe(true);
    origin.failTask(tasks[1]?.id as string, 'the encoder crashed');
    await expect(first).rejects.toThrow(/the encoder crashed/);

    // The step runs again: only segment 1 is submitted again, under the same task id.
    const again = encoder.encode({ ...input, workDir: join(temp.dir, 'step-2') });
    await waitFor(() => submittedTasks(coordinator).length === 4);
    expect(submittedTasks(coordinator)[3]?.id).toBe(tasks[1]?.id);
    expect(await deliver(origin, tasks[1] as never, 'lease-1b')).toBe(true);
    const result = await again;

    expect(result.segments).toBe(3);
    const facts = await readVideoFacts(FFPROBE, FFMPEG, result.path);
    expect(facts.video?.frames).toBe(planFrameCount(plan));
    expect(facts.audio?.codec).toBe('aac');
    // The segments were only a means: their rows and files are gone.
    expect(sqlite.prepare('SELECT count(*) AS n FROM farm_origin_tasks').get()).toEqual({ n: 0 });
    for (const lease of ['lease-0', 'lease-1b', 'lease-2'])
      expect(existsSync(join(temp.dir, `${lease}.mp4`))).toBe(false);
  });

  it('encodes a segment again when the coordinator finished it but its video never got here', async () => {
    const { origin, encoder, coordinator, sqlite } = setUp(2);
    const input = {
      jobId: 'job-3',
      plan,
      planSha256: 'f'.repeat(64),
      workDir: join(temp.dir, 'step-4'),
      signal: new AbortController().signal,
    };
    const controller = new AbortController();
    const first = encoder.encode({ ...input, signal: controller.signal });
    await waitFor(() => submittedTasks(coordinator).length === 2);
    const [zero, one] = submittedTasks(coordinator) as [SubmittedTask, SubmittedTask];
    expect(await deliver(origin, zero, 'lease-z')).toBe(true);
    // The origin stops: the coordinator accepted segment 1 but the origin never recorded it.
    controller.abort(new ShutdownError());
    await expect(first).rejects.toBeInstanceOf(ShutdownError);
    coordinator.finished.add(one.id);

    const restarted = makeOrigin(sqlite, coordinator, 2);
    const again = restarted.encoder.encode({ ...input, workDir: join(temp.dir, 'step-5') });
    await waitFor(() => submittedTasks(coordinator).length === 4);
    const renewed = submittedTasks(coordinator)[3] as SubmittedTask;
    expect(submittedTasks(coordinator)[2]?.id).toBe(one.id);
    expect(renewed.id).not.toBe(one.id);
    expect(renewed.plan.segment).toEqual(one.plan.segment);
    expect(await deliver(restarted.origin, renewed, 'lease-o')).toBe(true);
    expect((await again).segments).toBe(2);
    expect(sqlite.prepare('SELECT count(*) AS n FROM farm_origin_tasks').get()).toEqual({ n: 0 });
  });

  it('withdraws its unfinished segments when the job is cancelled, and keeps them when the node shuts down', async () => {
    const { encoder, coordinator, sqlite, origin } = setUp(2);
    const base = { plan, planSha256: '1'.repeat(64) };
    const withdrawn = () =>
      coordinator.calls.filter((c) => c.path.endsWith('/withdraw')).map((c) => c.path.split('/')[4]);

    const stopping = new AbortController();
    const pending = encoder.encode({
      ...base,
      jobId: 'job-4',
      workDir: join(temp.dir, 'step-6'),
      signal: stopping.signal,
    });
    await waitFor(() => submittedTasks(coordinator).length === 2);
    stopping.abort(new ShutdownError());
    await expect(pending).rejects.toBeInstanceOf(ShutdownError);
    expect(withdrawn()).toEqual([]);
    expect(sqlite.prepare('SELECT count(*) AS n FROM farm_origin_tasks').get()).toEqual({ n: 2 });

    // After the restart the job runs again, picks up the same split; then the user cancels it.
    const cancel = new AbortController();
    const again = encoder.encode({
      ...base,
      jobId: 'job-4',
      workDir: join(temp.dir, 'step-7'),
      signal: cancel.signal,
    });
    await waitFor(() => submittedTasks(coordinator).length === 4);
    const [zero, one] = submittedTasks(coordinator) as [SubmittedTask, SubmittedTask];
    expect(
      submittedTasks(coordinator)
        .slice(2)
        .map((t) => t.id),
    ).toEqual([zero.id, one.id]);
    expect(await deliver(origin, zero, 'lease-c0')).toBe(true);
    cancel.abort(new StepError('cancelled', 'job cancelled'));
    await expect(again).rejects.toThrow('job cancelled');
    // The segment already back is simply deleted; the one still at the farm is withdrawn.
    expect(withdrawn()).toEqual([one.id]);
    expect(sqlite.prepare('SELECT count(*) AS n FROM farm_origin_tasks').get()).toEqual({ n: 0 });
    expect(existsSync(join(temp.dir, 'lease-c0.mp4'))).toBe(false);
  });

  it('is cancelled, with every other segment withdrawn, when an operator cancels one segment', async () => {
    const { encoder, coordinator, sqlite, origin } = setUp(3);
    const withdrawn = () =>
      coordinator.calls.filter((c) => c.path.endsWith('/withdraw')).map((c) => c.path.split('/')[4]);
    const pending = encoder.encode({
      plan,
      planSha256: '2'.repeat(64),
      jobId: 'job-op',
      workDir: join(temp.dir, 'step-op'),
      signal: new AbortController().signal,
    });
    await waitFor(() => submittedTasks(coordinator).length === 3);
    const [zero, one, two] = submittedTasks(coordinator) as [SubmittedTask, SubmittedTask, SubmittedTask];
    expect(await deliver(origin, zero, 'lease-op0')).toBe(true);
    // The coordinator's word for it: the reason an operator's cancel leaves.
    origin.failTask(one.id, 'cancelled by operator-node', { byOperator: true });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect(error).toMatchObject({
      kind: 'cancelled',
      message: 'its farm task was cancelled by operator-node',
    });
    // The segment still at the farm is withdrawn (the cancelled one is asked too, harmlessly); the one
    // back is deleted: nothing is left to join.
    expect(withdrawn()).toContain(two.id);
    expect(withdrawn()).not.toContain(zero.id);
    expect(sqlite.prepare('SELECT count(*) AS n FROM farm_origin_tasks').get()).toEqual({ n: 0 });
    expect(existsSync(join(temp.dir, 'lease-op0.mp4'))).toBe(false);
  });

  it('is cancelled cleanly while its submission is still on its way to the coordinator', async () => {
    // An unhandled rejection here would fail the run (and stop a real node).
    const { encoder, coordinator } = setUp(1);
    coordinator.latency.ms = 300;
    const controller = new AbortController();
    const pending = encoder.encode({
      jobId: 'job-5',
      plan,
      planSha256: '2'.repeat(64),
      workDir: join(temp.dir, 'step-8'),
      signal: controller.signal,
    });
    const outcome = pending.catch((error: unknown) => error);
    await waitFor(() => submittedTasks(coordinator).length === 1);
    controller.abort(new ShutdownError());
    await new Promise((r) => setTimeout(r, 400));
    expect(await outcome).toBeInstanceOf(ShutdownError);
  });

  it('renders whole, as one task any worker may take, when the farm has one free slot', async () => {
    const { encoder, coordinator } = setUp(1);
    const input = {
      jobId: 'job-2',
      plan,
      planSha256: 'e'.repeat(64),
      workDir: join(temp.dir, 'step-3'),
      signal: new AbortController().signal,
    };
    const controller = new AbortController();
    const pending = encoder.encode({ ...input, signal: controller.signal });
    await waitFor(() => submittedTasks(coordinator).length === 1);
    const [task] = submittedTasks(coordinator);
    expect(task?.plan.segment).toBeUndefined();
    expect(task?.plan.output.encoders).toEqual(plan.output.encoders);
    controller.abort(new Error('test over'));
    await expect(pending).rejects.toThrow('test over');
  });
});

/**
 * The coordinator forgets finished tasks after the retention period, on its own timer, in memory and
 * in its SQLite table alike; unfinished and recently finished tasks stay. The origin forgets its old
 * tasks of jobs that ended when it submits new ones. The clocks are injected.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RenderPlan } from '../../../shared/render-plan.ts';
import { migrateDatabase } from '../../db/open.ts';
import { createHarness, DIAMOND, type Harness, jobInput } from '../../engine/engine.fixture.ts';
import { farmKeyFromText, generateFarmKey } from '../net/index.ts';
import { makeClient } from '../net/net.fixture.ts';
import { manualClock, taskIdOf, taskInput, workerInfo } from '../queue/farm-queue.fixture.ts';
import { FINISHED_TASK_RETENTION_MS } from '../queue/index.ts';
import { createSqliteTaskStore } from '../queue/sqlite-task-store.ts';
import { Coordinator } from './coordinator.ts';
import { ORIGIN_TASK_RETENTION_MS, Origin } from './origin.ts';

const DAY = 24 * 60 * 60 * 1000;

let dir: string;
let sqlite: Database.Database;
let coordinator: Coordinator;
const client = makeClient(farmKeyFromText(generateFarmKey()));
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-retention-'));
  sqlite = new Database(join(dir, 'vfo.db'));
  migrateDatabase(sqlite);
});
afterEach(async () => {
  coordinator?.stop();
  sqlite.close();
  await rm(dir, { recursive: true, force: true });
});

/** Stored task ids by status, read from the table itself. */
function stored(): Record<string, string[]> {
  const byStatus: Record<string, string[]> = {};
  for (const task of createSqliteTaskStore(sqlite).loadAll()) {
    byStatus[task.status] = [...(byStatus[task.status] ?? []), task.id];
  }
  for (const ids of Object.values(byStatus)) ids.sort();
  return byStatus;
}

/** A done, a failed, a withdrawn and a still queued task, all finished (or made) at the clock's time. */
function fourTasks(clock: ReturnType<typeof manualClock>) {
  coordinator = new Coordinator({
    sqlite,
    client,
    self: () => ({ id: 'coordinator-1', url: 'http://127.0.0.1:1' }),
    clock,
  });
  const { queue } = coordinator;
  queue.registerWorker(workerInfo('w1', { maxConcurrency: 2 }));
  for (const name of ['done', 'failed', 'withdrawn']) queue.submit(taskInput(name));
  const [first, second] = queue.schedule();
  queue.complete(first?.lease.id as string);
  queue.fail(second?.lease.id as string, 'the encoder crashed', { retryable: false });
  expect(queue.withdraw(taskIdOf('withdrawn'), 'origin-1')).toBe('withdrawn');
  // No worker can run this one: it stays queued however old it gets.
  queue.submit(taskInput('queued', { requirements: { encoders: ['hevc_videotoolbox'] } }));
  // Without a worker, ticks grant and dispatch nothing: the client is never called.
  queue.removeWorker('w1');
}

describe('finished farm tasks', () => {
  it('are pruned once they are older than the retention, from memory and from farm_tasks', async () => {
    const clock = manualClock(1_000_000_000);
    fourTasks(clock);
    const finished = ['done', 'failed', 'withdrawn'].map(taskIdOf).sort();
    expect([...(stored().done ?? []), ...(stored().failed ?? [])].sort()).toEqual(finished);

    clock.advance(FINISHED_TASK_RETENTION_MS - DAY);
    await coordinator.tick();
    expect(Object.values(stored()).flat()).toHaveLength(4);

    clock.advance(DAY + 1);
    await coordinator.tick();
    expect(stored()).toEqual({ queued: [taskIdOf('queued')] });
    for (const id of finished) expect(coordinator.queue.getTask(id)).toBeUndefined();
    expect(coordinator.queue.stats()).toMatchObject({ queued: 1, done: 0, failed: 0 });
    // A task submitted again after that is new work, not "done".
    expect(coordinator.queue.submit(taskInput('done')).status).toBe('queued');
  });

  it("are pruned by the coordinator's own timer, a task finished recently staying", async () => {
    const clock = manualClock(1_000_000_000);
    fourTasks(clock);
    clock.advance(3 * DAY);
    coordinator.queue.registerWorker(workerInfo('w2'));
    coordinator.queue.submit(taskInput('recent'));
    const [lease] = coordinator.queue.schedule();
    coordinator.queue.complete(lease?.lease.id as string);
    coordinator.queue.removeWorker('w2');

    clock.advance(FINISHED_TASK_RETENTION_MS - 2 * DAY);
    coordinator.start();
    for (let i = 0; i < 100 && Object.values(stored()).flat().length > 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(stored()).toEqual({ done: [taskIdOf('recent')], queued: [taskIdOf('queued')] });
  });
});

describe("the origin's farm tasks", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('of jobs that ended are forgotten after the retention when new ones are submitted; a live job keeps its own', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const ended = await h.engine.run(
      h.engine.createJob({ recipe: 'diamond', input: jobInput(h, 'a') }).job.id,
    );
    const queued = h.engine.createJob({ recipe: 'diamond', input: jobInput(h, 'b') }).job;
    const clock = manualClock(1_000_000_000);
    const origin = new Origin({
      sqlite: h.database.sqlite,
      dataDir: join(h.dir, 'data'),
      nodeId: 'node-1',
      selfUrl: () => 'http://127.0.0.1:1',
      client,
      coordinator: () => null,
      ffmpeg: () => Promise.reject(new Error('not used')),
      blobPath: (sha) => h.engine.blobs.pathFor(sha),
      clock: clock.now,
    });
    const submit = async (taskId: string, jobId: string) => {
      const controller = new AbortController();
      const plan = { assets: {} } as unknown as RenderPlan;
      const waiting = origin.awaitTask({ taskId, jobId, plan, signal: controller.signal }).catch(() => null);
      controller.abort();
      await waiting;
    };
    await submit(taskIdOf('ended'), ended.id);
    await submit(taskIdOf('queued'), queued.id);
    // The ended job's video came back and still waits in the results folder.
    const result = join(origin.resultsDir(), 'ended.mp4');
    await mkdir(origin.resultsDir(), { recursive: true });
    await writeFile(result, 'video');
    h.database.sqlite
      .prepare(
        'UPDATE farm_origin_tasks SET result_path = ?, result_sha256 = ?, encoder = ? WHERE task_id = ?',
      )
      .run(result, 'b'.repeat(64), 'libx264', taskIdOf('ended'));
    const rows = () =>
      (h.database.sqlite.prepare('SELECT task_id FROM farm_origin_tasks').all() as { task_id: string }[])
        .map((r) => r.task_id)
        .sort();

    clock.advance(ORIGIN_TASK_RETENTION_MS - 1);
    await submit(taskIdOf('later'), queued.id);
    expect(rows()).toEqual([taskIdOf('ended'), taskIdOf('queued'), taskIdOf('later')].sort());

    clock.advance(2);
    await submit(taskIdOf('latest'), queued.id);
    expect(rows()).toEqual([taskIdOf('queued'), taskIdOf('later'), taskIdOf('latest')].sort());
    // Removed in the background of the submit: waited for, up to a loaded machine's seconds.
    for (let i = 0; i < 500 && existsSync(result); i++) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(result)).toBe(false);
    expect(await origin.pruneFinished(clock.now() + ORIGIN_TASK_RETENTION_MS * 2)).toBe(0);

    // Partial uploads a killed node left are removed once untouched for an hour; one being written stays.
    const abandoned = join(origin.resultsDir(), `${taskIdOf('queued')}-L.mp4.partial-1-0a0b0c0d`);
    const landing = join(origin.resultsDir(), `${taskIdOf('later')}-L.mp4.partial-2-0a0b0c0d`);
    await writeFile(abandoned, 'half a video');
    await writeFile(landing, 'half a video');
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000);
    await utimes(abandoned, threeHoursAgo, threeHoursAgo);
    await origin.pruneFinished(Date.now());
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(landing)).toBe(true);
  });
});

describe('a coordinator elected again', () => {
  // Found by a review: the window in which a coordinator adopts leases workers announce began only when
  // its queue was made, so a node elected a second time refused every lease the other one had granted.
  it('adopts the leases workers announce at the start of each of its terms', () => {
    const clock = manualClock(1_000_000_000);
    coordinator = new Coordinator({
      sqlite,
      client,
      self: () => ({ id: 'coordinator-1', url: 'http://127.0.0.1:1' }),
      clock,
    });
    coordinator.start();
    coordinator.queue.submit(taskInput('a'));
    coordinator.stop();
    clock.advance(10 * 60_000);
    coordinator.start();
    const announced = coordinator.queue.announce({
      nodeId: 'w1',
      leases: [{ leaseId: 'b'.repeat(32), taskId: taskIdOf('a'), workerId: 'w1' }],
    });
    expect(announced).toMatchObject({ leasesKept: 1, leasesRefused: 0 });
  });
});

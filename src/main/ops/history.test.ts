/**
 * The farm's history in real SQLite (the migrations' tables): task attempts recorded from the real queue's
 * transitions, the queue sampled as it moves, and the retention applied — on an injected clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OpenedDatabase, openDatabase } from '../db/open.ts';
import { manualClock, queueKit, taskInput, workerInfo } from '../farm/queue/farm-queue.fixture.ts';
import type { FarmQueue } from '../farm/queue/index.ts';
import { makeTempDir } from '../ffmpeg/test-fixtures.ts';
import { alertsSetting, historySetting } from '../settings/index.ts';
import { HistoryStore } from './history-store.ts';
import { createOps, type Ops } from './index.ts';

const HOUR = 3_600_000;
/** A segment of 250 frames at 25 fps: 10 s of video. */
const segmentPlan = {
  durationMs: 60_000,
  output: { fps: 25 },
  segment: { index: 2, count: 6, frameCount: 250 },
};

let temp: { dir: string; cleanup: () => void };
let database: OpenedDatabase;
let clock: ReturnType<typeof manualClock>;
let queue: FarmQueue;
let ops: Ops;

beforeEach(() => {
  temp = makeTempDir('vfo-history-');
  database = openDatabase(temp.dir);
  clock = manualClock(1_700_000_000_000);
  ops = createOps({
    db: database.db,
    self: { id: 'coordinator-1', name: 'mini' },
    coordinator: () => ({ stats: queue.stats(), encodes: queue.encodes() }),
    slots: () => null,
    webhook: { secret: null },
    clock: clock.now,
  });
  queue = queueKit({ observer: (before, after) => ops.monitor.taskChanged(before, after) }).queue;
});

afterEach(async () => {
  await ops.close();
  database.close();
  temp.cleanup();
});

describe('farm history', () => {
  it('records who encoded what, when and how long, from the queue’s real transitions', async () => {
    const { queue: q, clock: qClock } = queueKit({ observer: (b, a) => ops.monitor.taskChanged(b, a) });
    q.registerWorker(workerInfo('worker-a', { maxConcurrency: 2 }));
    q.submit(taskInput('whole', { plan: { durationMs: 30_000, output: { fps: 30 } } }));
    q.submit(taskInput('seg', { plan: segmentPlan }));
    const granted = q.schedule();
    expect(granted).toHaveLength(2);
    const leaseOf = (assignments: typeof granted, name: string) =>
      assignments.find((a) => a.task.jobId === `job-${name}`)?.lease.id as string;
    const start = qClock.now();
    qClock.advance(12_000);
    expect(q.complete(leaseOf(granted, 'whole'))).toBe('accepted');
    qClock.advance(3_000);
    // A lost attempt goes back to the queue: "retried", counted against its worker.
    expect(q.fail(leaseOf(granted, 'seg'), 'ffmpeg crashed', { retryable: true })).toBe('requeued');
    q.submit(taskInput('bad'));
    q.heartbeat('worker-a', { freeSlots: 2, leases: [] });
    const next = q.schedule();
    expect(next).toHaveLength(2);
    // A busy worker handing an offer back started nothing: no attempt.
    expect(q.returnLease(leaseOf(next, 'seg'))).toBe(true);
    qClock.advance(1_000);
    expect(q.fail(leaseOf(next, 'bad'), 'bad input', { retryable: false })).toBe('failed');

    const history = ops.monitor.history(0);
    expect(history.coordinatorId).toBe('coordinator-1');
    expect(history.runs.map((r) => [r.jobId, r.outcome, r.workerId, r.endedAt - r.startedAt])).toEqual([
      ['job-whole', 'done', 'worker-a', 12_000],
      ['job-seg', 'retried', 'worker-a', 15_000],
      ['job-bad', 'failed', 'worker-a', 1_000],
    ]);
    expect(history.runs[0]).toMatchObject({ startedAt: start, videoSeconds: 30, segment: null });
    expect(history.runs[1]).toMatchObject({ videoSeconds: 10, segment: 2 });
    // The metrics heard the same: one render of 12 s, one retry.
    const text = await ops.metrics.text();
    expect(text).toMatch(/^vfo_render_seconds_count 1$/m);
    expect(text).toMatch(/^vfo_render_seconds_sum 12$/m);
    expect(text).toMatch(/^vfo_task_retries_total 1$/m);
  });

  it('samples the queue as it changes (at most every sampleSeconds, once a minute when idle)', () => {
    historySetting.write(database.db, { sampleSeconds: 5 });
    queue.registerWorker(workerInfo('worker-a'));
    ops.tick();
    queue.submit(taskInput(1));
    queue.submit(taskInput(2));
    clock.advance(1_000);
    ops.tick(); // changed, but only 1 s after the last sample: waits
    clock.advance(4_000);
    ops.tick(); // 5 s: sampled
    queue.schedule();
    clock.advance(5_000);
    ops.tick();
    clock.advance(30_000);
    ops.tick(); // nothing changed for 30 s: no sample
    clock.advance(30_000);
    ops.tick(); // a minute: the idle sample
    const start = 1_700_000_000_000;
    expect(ops.monitor.history(0).samples).toEqual([
      { at: start, queued: 0, running: 0 },
      { at: start + 5_000, queued: 2, running: 0 },
      { at: start + 10_000, queued: 1, running: 1 },
      { at: start + 70_000, queued: 1, running: 1 },
    ]);
    // A window opening between samples starts where the line stood then.
    expect(ops.monitor.history(start + 7_000).samples[0]).toEqual({
      at: start + 7_000,
      queued: 2,
      running: 0,
    });
  });

  it('forgets what is older than the retention, once an hour', () => {
    historySetting.write(database.db, { retentionDays: 1 });
    const store = new HistoryStore(database.db);
    const now = clock.now();
    const run = (endedAt: number) => ({
      taskId: `t${endedAt}`,
      jobId: 'j',
      originNodeId: 'o',
      workerId: 'w',
      startedAt: endedAt - 1000,
      endedAt,
      outcome: 'done' as const,
      videoSeconds: 10,
      segment: null,
    });
    store.addRun(run(now - 25 * HOUR));
    store.addRun(run(now - 23 * HOUR));
    store.addSample({ at: now - 30 * HOUR, queued: 1, running: 0 });
    store.addSample({ at: now - HOUR, queued: 2, running: 0 });
    ops.tick();
    expect(store.counts()).toEqual({ runs: 1, samples: 2 }); // the old sample went, this tick sampled anew
    clock.advance(2 * HOUR);
    ops.tick();
    // 23 h + 2 h: past the day now.
    expect(store.counts().runs).toBe(0);
  });
});

// Found by attacking the farm's controls: in Redis mode no node coordinates, so the queue's metric was
// missing and no backlog alert was ever raised, though `vfo status` counted the waiting tasks.
describe('monitoring a queue every node shares (Redis mode)', () => {
  it('reports its length as the metric and raises the backlog alert, without summaries', async () => {
    const shared = { queued: 3, running: 1, done: 7, failed: 0 };
    alertsSetting.write(database.db, { queueCritical: 2, summaryEveryHours: 1 });
    const node = createOps({
      db: database.db,
      self: { id: 'redis-node-1', name: 'box' },
      coordinator: () => null,
      queue: async () => shared,
      slots: () => null,
      webhook: { secret: null },
      clock: clock.now,
    });
    try {
      const metrics = await node.metrics.registry.getSingleMetricAsString('vfo_queue_jobs');
      expect(metrics).toContain('vfo_queue_jobs{state="queued"} 3');
      node.tick();
      await new Promise((resolve) => setImmediate(resolve));
      node.tick();
      expect(node.monitor.alerts().map((a) => a.kind)).toEqual(['queue-backlog']);
      // Counted again a while later: below the threshold, resolved; no summary after an hour either.
      shared.queued = 1;
      clock.advance(HOUR);
      node.tick();
      await new Promise((resolve) => setImmediate(resolve));
      node.tick();
      expect(node.monitor.alerts()).toEqual([]);
    } finally {
      await node.close();
    }
  });
});

/**
 * The per-job worker blocklist, an operator's requeue and a job's new priority, on the real queue with
 * its real SQLite store (the migrations make the tables).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../db/open.ts';
import { type ManualClock, manualClock, taskIdOf, taskInput, workerInfo } from './farm-queue.fixture.ts';
import { FarmQueue, type FarmQueueOptions } from './farm-queue.ts';
import { createSqliteTaskStore } from './sqlite-task-store.ts';
import type { Assignment } from './types.ts';

let dir: string;
let sqlite: Database.Database;
let clock: ManualClock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-job-blocks-'));
  sqlite = open();
  clock = manualClock();
});
afterEach(async () => {
  sqlite.close();
  await rm(dir, { recursive: true, force: true });
});

function open(): Database.Database {
  const db = new Database(join(dir, 'vfo.db'));
  db.pragma('journal_mode = WAL');
  migrateDatabase(db);
  return db;
}

function queueOf(options: Partial<FarmQueueOptions> = {}): FarmQueue {
  return new FarmQueue({ clock, store: createSqliteTaskStore(sqlite), blockCheckGraceMs: 0, ...options });
}

/** Three tasks of job "big" (segments of one video), from one origin. */
function submitBigJob(queue: FarmQueue, count = 4): void {
  for (let i = 0; i < count; i++) queue.submit(taskInput(`big-${i}`, { jobId: 'job-big', createdAt: i }));
}

/** Fails every lease `workerId` holds now. */
function failAllOf(queue: FarmQueue, workerId: string, reason: string): number {
  const leases = queue.worker(workerId)?.running ?? [];
  for (const lease of leases) queue.fail(lease, reason, { retryable: true });
  return leases.length;
}

describe('the per-job blocklist', () => {
  it('gives a worker that failed 3 tasks of a job no more of that job, but still other jobs’ tasks', () => {
    const queue = queueOf();
    queue.registerWorker(workerInfo('bad', { maxConcurrency: 3 }));
    // good has no free slot yet: bad gets three tasks of "big" and fails them all.
    queue.registerWorker(workerInfo('good', { maxConcurrency: 1, freeSlots: 0 }));
    submitBigJob(queue);
    expect(queue.schedule().map((a) => [a.task.jobId, a.worker.id])).toEqual([
      ['job-big', 'bad'],
      ['job-big', 'bad'],
      ['job-big', 'bad'],
    ]);
    expect(failAllOf(queue, 'bad', 'VideoToolbox: session limit')).toBe(3);

    // Each of those tasks was failed once by bad: the per-task rule alone would give them back.
    queue.submit(taskInput('later', { priority: -1 }));
    expect(queue.schedule().map((a) => [a.task.jobId, a.worker.id])).toEqual([['job-later', 'bad']]);
    expect(queue.stats().queued).toBe(4);
    expect(queue.view().blocks).toMatchObject([
      {
        workerId: 'bad',
        jobId: 'job-big',
        failures: 3,
        lastError: 'worker bad: VideoToolbox: session limit',
      },
    ]);
    // good is capable and not blocked: the job waits for it rather than failing.
    queue.tick();
    expect(queue.takeFailed()).toEqual([]);
    queue.heartbeat('good', { freeSlots: 1, leases: [] });
    expect(queue.schedule().map((a) => [a.task.jobId, a.worker.id])).toEqual([['job-big', 'good']]);
  });

  it('keeps the counts across a restart of the coordinator, and forgets them when cleared', () => {
    let queue = queueOf();
    queue.registerWorker(workerInfo('bad', { maxConcurrency: 3 }));
    queue.registerWorker(workerInfo('good', { maxConcurrency: 1, freeSlots: 0 }));
    submitBigJob(queue);
    queue.schedule();
    failAllOf(queue, 'bad', 'encoder crashed');

    sqlite.close();
    sqlite = open();
    clock.advance(1000);
    queue = queueOf();
    queue.registerWorker(workerInfo('bad', { maxConcurrency: 3 }));
    expect(queue.view().blocks.map((b) => [b.workerId, b.failures])).toEqual([['bad', 3]]);
    expect(queue.schedule()).toEqual([]);

    expect(queue.clearBlocks('origin-1', 'job-big', 'bad')).toBe(1);
    expect(queue.view().blocks).toEqual([]);
    expect(queue.schedule().map((a) => a.worker.id)).toEqual(['bad', 'bad', 'bad']);
    sqlite.close();
    sqlite = open();
    expect(createSqliteTaskStore(sqlite).loadFailures()).toEqual([]);
  });

  it('fails the job’s waiting tasks with the reason once every capable worker is blocked', () => {
    const queue = queueOf({ jobFailureLimit: () => 2 });
    queue.registerWorker(workerInfo('a', { maxConcurrency: 2 }));
    queue.registerWorker(workerInfo('b', { maxConcurrency: 2 }));
    queue.registerWorker(workerInfo('mac', { encoders: ['hevc_videotoolbox'] }));
    submitBigJob(queue, 4);
    queue.schedule();
    failAllOf(queue, 'a', 'disk full on a');
    expect(queue.takeFailed()).toEqual([]);
    queue.schedule();
    failAllOf(queue, 'b', 'disk full on b');
    const failed = queue.takeFailed();
    expect(failed.sort()).toEqual([0, 1, 2, 3].map((i) => taskIdOf(`big-${i}`)).sort());
    expect(queue.getTask(taskIdOf('big-0'))).toMatchObject({
      status: 'failed',
      lastError: expect.stringMatching(/^every capable worker is blocked for this job \(a, b: /),
    });
    expect(queue.stats()).toMatchObject({ queued: 0, failed: 4 });
  });

  it('waits out the grace period of a new coordinator before failing a job for its blocks', () => {
    const queue = queueOf({ blockCheckGraceMs: 10_000 });
    queue.registerWorker(workerInfo('only', { maxConcurrency: 1 }));
    queue.submit(taskInput('t'));
    for (let i = 0; i < 3; i++) {
      queue.schedule();
      failAllOf(queue, 'only', 'boom');
    }
    expect(queue.getTask(taskIdOf('t'))?.status).toBe('queued');
    clock.advance(10_000);
    queue.tick();
    expect(queue.getTask(taskIdOf('t'))?.status).toBe('failed');
    expect(queue.takeFailed()).toEqual([taskIdOf('t')]);
  });

  it('clears the job’s blocks when its origin retries it', () => {
    const queue = queueOf();
    queue.registerWorker(workerInfo('only'));
    queue.submit(taskInput('t'));
    for (let i = 0; i < 3; i++) {
      queue.schedule();
      failAllOf(queue, 'only', 'boom');
    }
    expect(queue.getTask(taskIdOf('t'))?.status).toBe('failed');
    queue.retry(taskIdOf('t'));
    expect(queue.view().blocks).toEqual([]);
    expect(queue.schedule().map((a) => a.worker.id)).toEqual(['only']);
  });

  it('counts an expired lease against the worker for its job', () => {
    const queue = queueOf({ leaseTimeoutMs: 5000 });
    queue.registerWorker(workerInfo('crashy', { maxConcurrency: 3 }));
    submitBigJob(queue, 3);
    queue.schedule();
    clock.advance(5000);
    queue.expire();
    expect(queue.view().blocks).toMatchObject([{ workerId: 'crashy', failures: 3 }]);
  });
});

describe('an operator’s requeue', () => {
  it('takes the lease back without counting it against the worker or the task', () => {
    const queue = queueOf();
    queue.registerWorker(workerInfo('w1'));
    queue.submit(taskInput('t'));
    const [first] = queue.schedule();
    expect(queue.requeue(taskIdOf('t'), 'operator-1')).toBe('requeued');
    expect(queue.getTask(taskIdOf('t'))).toMatchObject({
      status: 'queued',
      attempts: 0,
      failuresByWorker: {},
    });
    // The old lease is fenced out: its heartbeat is told to stop, its result is refused.
    expect(queue.heartbeat('w1', { freeSlots: 0, leases: [{ leaseId: first?.lease.id as string }] })).toEqual(
      {
        cancel: [first?.lease.id],
        unknownWorker: false,
      },
    );
    expect(queue.complete(first?.lease.id as string)).toBe('stale');
    queue.heartbeat('w1', { freeSlots: 1, leases: [] });
    const [second] = queue.schedule();
    expect(second?.lease.id).not.toBe(first?.lease.id);
    expect(queue.requeue(taskIdOf('t'), 'op')).toBe('requeued');
    expect(queue.requeue(taskIdOf('t'), 'op')).toBe('queued');
    expect(queue.requeue(taskIdOf('nope'), 'op')).toBe('unknown');
    queue.heartbeat('w1', { freeSlots: 1, leases: [] });
    queue.complete((queue.schedule()[0] as Assignment).lease.id);
    expect(queue.requeue(taskIdOf('t'), 'op')).toBe('finished');
  });
});

describe('a job’s new priority', () => {
  it('moves every unfinished task of that job (and only those) in the order', () => {
    const queue = queueOf();
    queue.submit(taskInput('first', { createdAt: 1 }));
    queue.submit(taskInput('second', { createdAt: 2 }));
    queue.submit(taskInput('third-a', { jobId: 'job-third', createdAt: 3 }));
    queue.submit(taskInput('third-b', { jobId: 'job-third', createdAt: 4 }));
    queue.submit(taskInput('third-c', { jobId: 'job-third', originNodeId: 'origin-2', createdAt: 5 }));
    expect(queue.reprioritize('origin-1', 'job-third', 7)).toBe(2);
    queue.registerWorker(workerInfo('w1'));
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [assignment] = queue.schedule();
      order.push(assignment?.task.id as string);
      queue.complete(assignment?.lease.id as string);
    }
    expect(order).toEqual(['third-a', 'third-b', 'first', 'second', 'third-c'].map(taskIdOf));
    // Stored: a restarted coordinator keeps the order.
    const stored = createSqliteTaskStore(sqlite)
      .loadAll()
      .filter((t) => t.jobId === 'job-third');
    expect(stored.map((t) => t.priority).sort()).toEqual([0, 7, 7]);
  });
});

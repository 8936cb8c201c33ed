import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../db/open.ts';
import { manualClock, taskIdOf, taskInput, workerInfo } from './farm-queue.fixture.ts';
import { FarmQueue } from './farm-queue.ts';
import { createSqliteTaskStore } from './sqlite-task-store.ts';
import { createMemoryTaskStore } from './task-store.fixture.ts';
import type { TaskStore } from './task-store.ts';
import type { Task } from './types.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-farm-queue-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

function open(): Database.Database {
  const sqlite = new Database(join(dir, 'vfo.db'));
  sqlite.pragma('journal_mode = WAL');
  migrateDatabase(sqlite);
  return sqlite;
}

describe('createSqliteTaskStore', () => {
  it('survives a reopen: same tasks, same states, the same lease still completes', () => {
    const clock = manualClock();
    let sqlite = open();
    // A per-job limit above the attempts: the task must use up its five attempts on the one worker.
    let queue = new FarmQueue({ clock, store: createSqliteTaskStore(sqlite), jobFailureLimit: () => 10 });
    queue.registerWorker(workerInfo('w1', { maxConcurrency: 3 }));
    queue.submit(taskInput('leased', { priority: 2 }));
    queue.submit(taskInput('done', { priority: 1 }));
    queue.submit(taskInput('failed'));
    const [leased, done, failed] = queue.schedule();
    queue.complete(done?.lease.id as string);
    for (let i = 0; i < 5; i++) {
      if (i > 0) queue.schedule();
      const lease = queue.getTask(taskIdOf('failed'))?.lease?.id as string;
      queue.fail(lease, `crash ${i}`, { retryable: true });
    }
    queue.submit(taskInput('queued', { plan: { scenes: [{ id: 's1', text: 'ünïcødé' }] } }));
    const before = ['leased', 'done', 'failed', 'queued'].map((name) => queue.getTask(taskIdOf(name)));
    expect(before.map((task) => task?.status)).toEqual(['leased', 'done', 'failed', 'queued']);
    expect(failed).toBeDefined();
    sqlite.close();

    clock.advance(60_000);
    sqlite = open();
    queue = new FarmQueue({ clock, store: createSqliteTaskStore(sqlite) });
    const after = ['leased', 'done', 'failed', 'queued'].map((name) => queue.getTask(taskIdOf(name)));
    const withoutLeaseTimes = (task: Task | undefined) => ({
      ...task,
      lease: task?.lease && { ...task.lease, renewedAt: 0, expiresAt: 0 },
    });
    expect(after.map(withoutLeaseTimes)).toEqual(before.map(withoutLeaseTimes));
    // A reload gives the lease a fresh timeout rather than expiring it on the spot.
    expect(after[0]?.lease?.expiresAt).toBe(clock.now() + 5000);
    expect(queue.stats()).toMatchObject({ queued: 1, running: 1, done: 1, failed: 1 });
    expect(queue.submit(taskInput('done')).status).toBe('done');
    expect(queue.complete(done?.lease.id as string)).toBe('accepted');
    expect(queue.complete(leased?.lease.id as string)).toBe('accepted');
    sqlite.close();
  });

  it('writes a batch all or nothing, and refuses a task half-leased', () => {
    const sqlite = open();
    const store = createSqliteTaskStore(sqlite);
    const clock = manualClock();
    const queue = new FarmQueue({ clock, store });
    const good = queue.submit(taskInput('a'));
    const halfLeased: Task = { ...queue.submit(taskInput('b')), status: 'leased' };
    expect(() => store.write({ put: [{ ...good, attempts: 3 }, halfLeased] })).toThrow(/CHECK constraint/);
    expect(store.loadAll().map((task) => [task.jobId, task.status, task.attempts])).toEqual([
      ['job-a', 'queued', 0],
      ['job-b', 'queued', 0],
    ]);
    sqlite.close();
  });
});

describe('FarmQueue with a failing store', () => {
  it('grants nothing when the write fails, and schedules the same tasks once the store recovers', () => {
    const inner = createMemoryTaskStore();
    let broken = false;
    const store: TaskStore = {
      loadAll: () => inner.loadAll(),
      loadFailures: () => inner.loadFailures(),
      write: (changes) => {
        if (broken) throw new Error('disk full');
        inner.write(changes);
      },
    };
    const queue = new FarmQueue({ clock: manualClock(), store });
    queue.registerWorker(workerInfo('w1', { maxConcurrency: 2 }));
    queue.submit(taskInput('a'));
    queue.submit(taskInput('b'));
    broken = true;
    expect(() => queue.schedule()).toThrow('disk full');
    expect(queue.stats()).toMatchObject({ queued: 2, running: 0 });
    expect(queue.worker('w1')).toMatchObject({ running: [], freeSlots: 2 });
    broken = false;
    expect(queue.schedule().map((a) => a.task.jobId)).toEqual(['job-a', 'job-b']);
    expect(inner.loadAll().every((task) => task.status === 'leased')).toBe(true);
  });
});

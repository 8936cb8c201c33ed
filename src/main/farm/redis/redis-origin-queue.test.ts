/**
 * The origin's queue in a real redis-server: an upload is kept only while its worker holds the job's
 * lock (the lease), a task Redis lost is queued again from the origin's own list, a withdrawn task
 * leaves the queue, a re-run gets a fresh job, and the counts a scale-up hook reads are the queue's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis, stopAllRedis } from '../../../../test/farm/redis-support.ts';
import { ephemeralIdentity, farmIdOf, farmKeyFromText, generateFarmKey } from '../net/index.ts';
import type { TaskInput } from '../queue/index.ts';
import { farmKeys } from './farm-keys.ts';
import { parseRedisUrl, RedisLink } from './redis-link.ts';
import { bullPriority, leaseIdOf, RedisOriginQueue } from './redis-origin-queue.ts';

const key = farmKeyFromText(generateFarmKey());
const farmId = farmIdOf(key);
const keys = farmKeys(farmId);
const identity = ephemeralIdentity(key);
let dir: string;
let redis: RedisServer;
let link: RedisLink;
let queue: RedisOriginQueue;
/** A BullMQ handle on the farm's libx264 queue, to look at jobs directly. */
let inspect: Queue;
const failed: [string, string][] = [];

let n = 0;
function task(priority = 0): TaskInput {
  n++;
  return {
    id: n.toString(16).padStart(64, 'a'),
    originNodeId: identity.id,
    originUrl: 'http://127.0.0.1:1',
    jobId: `job-${n}`,
    priority,
    plan: { version: 1, n },
    requirements: { encoders: ['libx264'] },
  };
}

async function until<T>(probe: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-redis-queue-'));
  redis = await startRedis({ dir });
  link = new RedisLink({ target: parseRedisUrl(redis.url) });
  link.connect();
  await link.ready(5000);
  queue = new RedisOriginQueue({
    link,
    keys,
    farmId,
    identity,
    originTls: null,
    route: (encoders) => encoders[0] as string,
    onFailed: (taskId, reason) => failed.push([taskId, reason]),
  });
  queue.start();
  inspect = new Queue(keys.queueOf('libx264'), { connection: link.client, prefix: keys.prefix });
});

afterAll(async () => {
  await queue?.close();
  await inspect?.close();
  link?.close();
  await stopAllRedis();
  await rm(dir, { recursive: true, force: true });
});

describe('the origin’s queue in Redis', () => {
  it('keeps an upload only from the worker holding the job, under the lock it names', async () => {
    const t = task();
    expect(await queue.submit(t)).toBe('queued');
    expect(await queue.submit(t)).toBe('queued');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let token = '';
    const worker = new Worker(
      keys.queueOf('libx264'),
      async (_job, lock) => {
        token = lock as string;
        await held;
        return { delivered: true };
      },
      { connection: link.connection('test-worker'), prefix: keys.prefix, name: 'worker-1' },
    );
    try {
      await until(async () => token !== '', 'the worker to take the job');
      const lease = leaseIdOf(token);
      expect(await queue.submit(t)).toBe('leased');
      expect(await queue.complete({ taskId: t.id, leaseId: lease, workerId: 'worker-1' })).toBe('accepted');
      expect(await queue.complete({ taskId: t.id, leaseId: 'f'.repeat(32), workerId: 'worker-1' })).toBe(
        'stale',
      );
      expect(await queue.complete({ taskId: t.id, leaseId: lease, workerId: 'worker-2' })).toBe('stale');
      release();
      const job = await until(async () => {
        const found = await Job.fromId(worker, t.id);
        return found && (await found.getState()) === 'completed' ? found : undefined;
      }, 'the job to complete');
      expect(job.processedBy).toBe('worker-1');
      expect(await queue.complete({ taskId: t.id, leaseId: lease, workerId: 'worker-1' })).toBe('stale');
    } finally {
      release();
      await worker.close();
    }
  });

  it('queues again what Redis lost, only for tasks a step still waits for', async () => {
    const waiting = task();
    const finished = task();
    await queue.submit(waiting);
    await queue.submit(finished);
    await link.client.flushall();
    await queue.reconcile([waiting, finished], (id) => id === waiting.id);
    expect((await queue.counts(['libx264'])).queued).toBe(1);
    expect((await Job.fromId(inspect, waiting.id))?.id).toBe(waiting.id);
    expect(await Job.fromId(inspect, finished.id)).toBeUndefined();
    // A task this node never sent (a step submitting it right now) is left to that step.
    const unsent = task();
    await queue.reconcile([unsent], () => true);
    expect(await Job.fromId(inspect, unsent.id)).toBeUndefined();
  });

  it('withdraws a queued task, and gives a failed task a fresh job when its step runs again', async () => {
    const t = task(5);
    await queue.submit(t);
    await queue.withdraw(t.id);
    expect(await Job.fromId(inspect, t.id)).toBeUndefined();

    const retried = task();
    await queue.submit(retried);
    const worker = new Worker(
      keys.queueOf('libx264'),
      async () => {
        // Final at once (an ordinary error would be tried five times, with backoff).
        throw new UnrecoverableError('the encoder crashed');
      },
      { connection: link.connection('failing-worker'), prefix: keys.prefix, name: 'worker-3' },
    );
    try {
      await until(async () => failed.find(([id]) => id === retried.id), 'the failure to reach the origin');
    } finally {
      await worker.close();
    }
    expect(failed.find(([id]) => id === retried.id)?.[1]).toBe('the encoder crashed');
    expect(await queue.submit(retried)).toBe('queued');
    const fresh = await Job.fromId(inspect, retried.id);
    expect(await fresh?.getState()).toMatch(/waiting|prioritized/);
    expect(fresh?.attemptsMade).toBe(0);
  });

  it('moves a waiting task when its job’s priority changes, and orders by the farm’s priority', async () => {
    const low = task(0);
    const urgent = task(0);
    await queue.submit(low);
    await queue.submit(urgent);
    await queue.setPriority(urgent.jobId, [urgent.id], 50);
    const [lowJob, urgentJob] = await Promise.all([
      Job.fromId(inspect, low.id),
      Job.fromId(inspect, urgent.id),
    ]);
    // BullMQ runs the lowest number first: the farm's higher priority maps to a lower one.
    expect(urgentJob?.priority).toBeLessThan(lowJob?.priority as number);
    expect(urgentJob?.priority).toBe(bullPriority(50));
    await queue.withdraw(low.id);
    await queue.withdraw(urgent.id);
  });
});

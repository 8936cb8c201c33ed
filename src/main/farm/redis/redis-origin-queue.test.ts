/**
 * The origin's queue in a real redis-server: an upload is kept only while its worker holds the job's
 * lock (the lease), a task Redis lost is queued again from the origin's own list, a withdrawn task
 * leaves the queue, a re-run gets a fresh job, and the counts a scale-up hook reads are the queue's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisServer, startRedis, stopAllRedis } from '../../../../test/farm/redis-support.ts';
import { ephemeralIdentity, FarmTrust, farmIdOf, farmKeyFromText, generateFarmKey } from '../net/index.ts';
import type { TaskInput } from '../queue/index.ts';
import { farmKeys } from './farm-keys.ts';
import { Presence, type PresenceRecord } from './presence.ts';
import { parseRedisUrl, RedisLink } from './redis-link.ts';
import {
  bullPriority,
  leaseIdOf,
  RedisOriginQueue,
  type RedisOriginQueueDeps,
} from './redis-origin-queue.ts';
import { signFailure } from './task-envelope.ts';

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
const originalFromId = Job.fromId.bind(Job);
const originalRemove = Queue.prototype.remove;

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

/** An origin's queue on this test's Redis, reporting its failed tasks to `onFailed`. */
function originQueue(
  onFailed: (taskId: string, reason: string) => void,
  routing: Pick<RedisOriginQueueDeps, 'route' | 'serves'> = {
    route: (encoders) => encoders[0] as string,
    serves: () => true,
  },
): RedisOriginQueue {
  return new RedisOriginQueue({
    link,
    keys,
    farmId,
    identity,
    trust: new FarmTrust(key),
    originTls: null,
    ...routing,
    onFailed,
  });
}

/** A farm member's worker: its failures carry its signed word, as redis-worker.ts gives them. */
const workerIdentity = ephemeralIdentity(key);

/**
 * A worker on `encoder`'s queue that fails every job for good at once (no retries, no backoff): in a
 * member's signed word, or (`unsigned`) as anyone who can write to Redis can.
 */
function failingWorker(encoder: string, name: string, reason: string, { unsigned = false } = {}) {
  return new Worker(
    keys.queueOf(encoder),
    async (job) => {
      if (unsigned) throw new UnrecoverableError(reason);
      const { nonce } = JSON.parse(job.data.fields) as { nonce: string };
      throw new UnrecoverableError(signFailure(workerIdentity, { taskId: String(job.id), nonce }, reason));
    },
    { connection: link.connection(name), prefix: keys.prefix, name },
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-redis-queue-'));
  redis = await startRedis({ dir });
  link = new RedisLink({ target: parseRedisUrl(redis.url) });
  link.connect();
  expect(await link.settle(5000)).toBe('ready');
  queue = originQueue((taskId, reason) => failed.push([taskId, reason]));
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

  // Found by attacking Redis mode: sent while no node was seen, a task went to the plan's first
  // encoder's queue (VideoToolbox) on a farm of libx264 workers, and waited there for good.
  it('moves a waiting task no live node takes to a queue one does, at the next reconcile', async () => {
    const live = new Set<string>();
    const moving = originQueue(() => undefined, {
      route: (encoders) => encoders.find((e) => live.has(e)) ?? (encoders[0] as string),
      serves: (encoder) => live.has(encoder),
    });
    moving.start();
    const apple = new Queue(keys.queueOf('h264_videotoolbox'), {
      connection: link.client,
      prefix: keys.prefix,
    });
    try {
      const t = { ...task(), requirements: { encoders: ['h264_videotoolbox', 'libx264'] } };
      expect(await moving.submit(t)).toBe('queued');
      expect(await Job.fromId(apple, t.id)).toBeDefined();
      // Nobody takes either queue yet: it stays where it is.
      await moving.reconcile([t], () => true);
      expect(await Job.fromId(apple, t.id)).toBeDefined();
      live.add('libx264');
      await moving.reconcile([t], () => true);
      expect(await Job.fromId(apple, t.id)).toBeUndefined();
      expect(['waiting', 'prioritized']).toContain(await (await Job.fromId(inspect, t.id))?.getState());
    } finally {
      await apple.close();
      await moving.close();
    }
  });

  it('withdraws a queued task, and gives a failed task a fresh job when its step runs again', async () => {
    const t = task(5);
    await queue.submit(t);
    await queue.withdraw(t.id);
    expect(await Job.fromId(inspect, t.id)).toBeUndefined();

    const retried = task();
    await queue.submit(retried);
    const worker = failingWorker('libx264', 'worker-3', 'the encoder crashed');
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

  it('fails a task only for its own job failing: not for a forged event, nor a stranger’s job of its id', async () => {
    // Found by attacking Redis mode: whoever can write to Redis (no farm key) could fail any job for
    // good with one event, or with a job of the same id in another queue that a worker then refuses.
    const t = task();
    await queue.submit(t);
    const before = failed.length;
    await link.client.xadd(
      `${keys.prefix}:${keys.queueOf('libx264')}:events`,
      '*',
      ...['event', 'failed', 'jobId', t.id, 'failedReason', 'forged'],
    );
    const other = new Queue(keys.queueOf('libx265'), { connection: link.client, prefix: keys.prefix });
    await other.add('encode', { junk: true }, { jobId: t.id });
    const refuser = failingWorker('libx265', 'worker-4', 'not a signed task', { unsigned: true });
    try {
      await until(async () => (await Job.fromId(other, t.id))?.failedReason, 'the stranger’s job to fail');
      // Both reached the origin's listener, and the reconcile looked too: nothing was failed.
      await new Promise((r) => setTimeout(r, 300));
      await queue.reconcile([t], () => true);
      expect(failed.slice(before)).toEqual([]);
      expect(await (await Job.fromId(inspect, t.id))?.getState()).toMatch(/waiting|prioritized/);
    } finally {
      await refuser.close();
      await other.close();
    }
  });

  // Found by attacking Redis mode: a job moved to the failed state by hand, with a reason of the
  // writer's ("Licence expired: re-activate at http://…"), failed the user's job with that text.
  it('fails a task only on a worker’s signed word: one failed without it is queued again, 3 times at most', async () => {
    const t = task();
    await queue.submit(t);
    const before = failed.length;
    const lure = 'Licence expired: re-activate at http://evil.example/activate';
    const forger = failingWorker('libx264', 'worker-6', lure, { unsigned: true });
    // Each run of the task is a job of its own nonce (signed anew when it is queued again).
    const nonces = new Set<string>();
    const failedAgain = async () => {
      const job = await Job.fromId(inspect, t.id);
      if ((await job?.getState()) !== 'failed') return false;
      const { nonce } = JSON.parse(job?.data.fields) as { nonce: string };
      return !nonces.has(nonce) && nonces.add(nonce);
    };
    try {
      for (let time = 1; time <= 3; time++) {
        await until(failedAgain, `the forged failure ${time}`);
        await queue.reconcile([t], () => true);
        expect(failed.slice(before)).toEqual([]);
      }
      await until(failedAgain, 'the fourth forged failure');
      await queue.reconcile([t], () => true);
    } finally {
      await forger.close();
    }
    expect(nonces.size).toBe(4);
    expect(failed.slice(before)).toEqual([
      [
        t.id,
        "the farm's queue ended this task 4 times without a worker's signed word: its workers kept stalling on it, or someone who can write to Redis failed it",
      ],
    ]);
  });

  // Found by reviewing the signed failures: a run's signed failure, its job's hash saved and put back
  // in the failed set once the step ran again, failed the new run with the old run's words.
  it('believes a signed failure only of the run it queued last', async () => {
    const t = task();
    await queue.submit(t);
    const before = failed.length;
    const jobKey = inspect.toKey(t.id);
    const crasher = failingWorker('libx264', 'worker-7', 'run 1: the encoder crashed');
    try {
      await until(async () => failed.find(([id]) => id === t.id), 'run 1 to fail');
    } finally {
      await crasher.close();
    }
    const saved = await link.client.hgetall(jobKey);
    // The step runs again: run 2, waiting for a worker.
    expect(await queue.submit(t)).toBe('queued');
    // Someone who can write to Redis puts run 1 back, failed.
    await link.client.del(jobKey);
    await link.client.hset(jobKey, saved);
    await link.client.lrem(inspect.toKey('wait'), 0, t.id);
    await link.client.zrem(inspect.toKey('prioritized'), t.id);
    await link.client.zadd(inspect.toKey('failed'), Date.now(), t.id);
    await queue.reconcile([t], () => true);
    expect(failed.slice(before)).toEqual([[t.id, 'run 1: the encoder crashed']]);
    // Queued again as run 3, never failed with run 1's words.
    expect(await (await Job.fromId(inspect, t.id))?.getState()).toMatch(/waiting|prioritized/);
    await queue.withdraw(t.id);
  });

  // Found by attacking Redis mode: one HSET of the task's id in another encoder's queue made the origin
  // take that key for its job: the task was never queued (nor queued again), and an honest worker's
  // upload was refused.
  it('queues its task past a stranger’s key of the same id, in another queue or its own', async () => {
    const t = task();
    const elsewhere = `${keys.prefix}:${keys.queueOf('h264_videotoolbox')}:${t.id}`;
    const inItsQueue = `${keys.prefix}:${keys.queueOf('libx264')}:${t.id}`;
    await link.client.hset(elsewhere, 'data', '{}');
    await link.client.hset(inItsQueue, 'data', '{}');
    expect(await queue.submit(t)).toBe('queued');
    const signed = async () => {
      const job = await Job.fromId(inspect, t.id);
      return job && JSON.parse((job.data as { fields: string }).fields).originId === identity.id
        ? job.getState()
        : 'not this node’s';
    };
    expect(await signed()).toMatch(/waiting|prioritized/);
    // Redis loses it; the stranger's key stays: the reconcile queues it again.
    await (await Job.fromId(inspect, t.id))?.remove();
    await link.client.hset(inItsQueue, 'data', '{}');
    await queue.reconcile([t], () => true);
    expect(await signed()).toMatch(/waiting|prioritized/);
    await queue.withdraw(t.id);
    await link.client.del(elsewhere);

    // A stranger's key it cannot remove (a lock set beside it): the task is not counted as queued, and
    // goes out once the key is gone.
    const locked = task();
    const lockedKey = `${keys.prefix}:${keys.queueOf('libx264')}:${locked.id}`;
    await link.client.hset(lockedKey, 'data', '{}');
    await link.client.set(`${lockedKey}:lock`, 'someone');
    expect(await queue.submit(locked)).toBeUndefined();
    await link.client.del(lockedKey, `${lockedKey}:lock`);
    await queue.reconcile([locked], () => true);
    const job = await Job.fromId(inspect, locked.id);
    expect(job).toBeDefined();
    expect(JSON.parse((job as Job).data.fields).originId).toBe(identity.id);
    await queue.withdraw(locked.id);
  });

  // Found by attacking Redis mode: one job padded to 512 MB failed every reconcile before any lost
  // task was queued again, and each look read it whole.
  it('looks at each task on its own and never reads an oversized job', async () => {
    const [padded, broken, lost] = [task(), task(), task()];
    for (const t of [padded, broken, lost]) await queue.submit(t);
    const keyOf = (t: TaskInput) => `${keys.prefix}:${keys.queueOf('libx264')}:${t.id}`;
    await link.client.hset(keyOf(padded), 'pad', 'p'.repeat(64 * 1024 * 1024));
    await link.client.hset(keyOf(broken), 'data', '{not json');
    await (await Job.fromId(inspect, lost.id))?.remove();
    // What happened to the padded job, in order: fetched (read whole) or removed.
    const seen: string[] = [];
    const fetches = vi.spyOn(Job, 'fromId').mockImplementation(async (...args) => {
      if (args[1] === padded.id) seen.push('fetched');
      return originalFromId(...args);
    });
    const removes = vi.spyOn(Queue.prototype, 'remove').mockImplementation(async function (
      this: Queue,
      ...args
    ) {
      if (args[0] === padded.id) seen.push('removed');
      return originalRemove.apply(this, args);
    });
    await queue.reconcile([padded, broken, lost], () => true);
    fetches.mockRestore();
    removes.mockRestore();
    // Its size was looked at in Redis: it was removed unread, and only the fresh job fetched after.
    expect(seen[0]).toBe('removed');
    expect(await (await Job.fromId(inspect, lost.id))?.getState()).toMatch(/waiting|prioritized/);
    for (const t of [padded, lost]) await queue.withdraw(t.id);
    await link.client.del(keyOf(broken));
  }, 30_000);

  // Found by attacking Redis mode: 100,000 forged `failed` events for one task made the origin look
  // at its job 100,000 times (81 s of CPU, 2 GB).
  it('looks at a task at most once a second however many failure events name it', async () => {
    const t = task();
    await queue.submit(t);
    const looks = vi.spyOn(Job, 'fromId');
    const stream = `${keys.prefix}:${keys.queueOf('libx264')}:events`;
    for (let i = 0; i < 20; i++) {
      const batch = link.client.pipeline();
      for (let j = 0; j < 100; j++)
        batch.xadd(stream, '*', ...['event', 'failed', 'jobId', t.id, 'failedReason', 'forged']);
      await batch.exec();
    }
    await new Promise((r) => setTimeout(r, 1500));
    const lookedAt = looks.mock.calls.filter(([, id]) => id === t.id).length;
    looks.mockRestore();
    expect(lookedAt).toBeGreaterThan(0);
    expect(lookedAt).toBeLessThan(10);
    expect(failed.filter(([id]) => id === t.id)).toEqual([]);
    await queue.withdraw(t.id);
  });

  it('reports a failure whose event it never heard, at the next reconcile', async () => {
    // An origin that does not listen to events (as one whose listener died on a malformed event).
    const deaf: [string, string][] = [];
    const origin = originQueue((taskId, reason) => deaf.push([taskId, reason]));
    const t = task();
    await origin.submit(t);
    const worker = failingWorker('libx264', 'worker-5', 'the encoder crashed');
    try {
      await until(
        async () => (await (await Job.fromId(inspect, t.id))?.getState()) === 'failed',
        'the failure',
      );
    } finally {
      await worker.close();
    }
    expect(deaf).toEqual([]);
    await origin.reconcile([t], () => true);
    expect(deaf).toEqual([[t.id, 'the encoder crashed']]);
    await origin.close();
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

describe('presence in Redis', () => {
  const record = (url: string): Omit<PresenceRecord, 'id' | 'time'> => ({
    name: 'studio',
    url,
    role: 'auto',
    encoders: ['libx264'],
    cores: 2,
    slots: 1,
    running: 0,
    status: 'online',
    reason: null,
    version: '1',
    protocol: 1,
  });
  const presenceOf = (of = identity) =>
    new Presence({ link, keys, farmId, identity: of, trust: new FarmTrust(key) });

  // Found by a review of Redis mode: a record under another key could claim a real node's id (and its
  // URL then took an operator's signed pause), and a set flooded with 130,000 junk members overflowed
  // one call's arguments: presence stopped for good on every node.
  it('believes a record only under its own node’s key, and clears a flooded node set', async () => {
    const presence = presenceOf();
    await presence.publish(record('http://127.0.0.1:4870'));
    const impostor = 'c'.repeat(16);
    await link.client.set(
      keys.nodeKey(impostor),
      (await link.client.get(keys.nodeKey(identity.id))) as string,
    );
    await link.client.sadd(keys.nodes, impostor);
    const junk = Array.from({ length: 150_000 }, (_, i) => `junk-${i}`);
    for (let i = 0; i < junk.length; i += 10_000)
      await link.client.sadd(keys.nodes, ...junk.slice(i, i + 10_000));

    const read = await presence.read();
    expect(read.map((r) => [r.id, r.url])).toEqual([[identity.id, 'http://127.0.0.1:4870']]);
    // What did not count is gone from the set: the next read is small again.
    expect(await link.client.smembers(keys.nodes)).toEqual([identity.id]);
    await presence.remove(identity.id);
  }, 60_000);

  // Found by attacking Redis mode: one 512 MB value under a node's key took a core and a gigabyte on
  // every node, failed each read before the junk was removed, and froze the node list.
  it('reads no oversized record or member, and drops them from the set', async () => {
    const presence = presenceOf();
    await presence.publish(record('http://127.0.0.1:4870'));
    const huge = 'd'.repeat(16);
    await link.client.setrange(keys.nodeKey(huge), 64 * 1024 * 1024 - 1, 'x');
    await link.client.sadd(keys.nodes, huge, 'e'.repeat(1024 * 1024));
    await link.client.hset(keys.nodeKey('f'.repeat(16)), 'wrong', 'type');
    await link.client.sadd(keys.nodes, 'f'.repeat(16));
    const before = process.memoryUsage().rss;
    const read = await presence.read();
    expect(read.map((r) => r.id)).toEqual([identity.id]);
    // 64 MB never crossed: the node's memory did not grow by it.
    expect(process.memoryUsage().rss - before).toBeLessThan(32 * 1024 * 1024);
    expect(await link.client.smembers(keys.nodes)).toEqual([identity.id]);
    await link.client.del(keys.nodeKey(huge), keys.nodeKey('f'.repeat(16)));
    await presence.remove(identity.id);
  }, 60_000);

  // Unsigned, a record could point a real node's id at another URL (an operator's signed pause of that
  // node then went there), claim free slots no one has, or keep a dead node listed.
  it('believes only records their node signed for this farm lately', async () => {
    const presence = presenceOf();
    await presence.publish(record('http://127.0.0.1:4870'));
    const genuine = JSON.parse((await link.client.get(keys.nodeKey(identity.id))) as string);
    const store = async (value: unknown) => {
      await link.client.set(keys.nodeKey(identity.id), JSON.stringify(value));
      await link.client.sadd(keys.nodes, identity.id);
      return (await presence.read()).map((r) => r.url);
    };
    expect(await store(genuine)).toEqual(['http://127.0.0.1:4870']);

    // The signed text edited: another URL.
    const moved = genuine.record.replace('127.0.0.1:4870', '169.254.169.254');
    expect(await store({ ...genuine, record: moved })).toEqual([]);
    // A plain record, as before signing.
    expect(await store(JSON.parse(genuine.record))).toEqual([]);
    // Signed by a node of another farm (not admitted by this farm's key).
    const stranger = ephemeralIdentity(farmKeyFromText(generateFarmKey()));
    const foreign = { ...JSON.parse(genuine.record), id: stranger.id };
    const foreignText = JSON.stringify(foreign);
    expect(
      await store({
        record: foreignText,
        signer: { id: stranger.id, publicKey: stranger.publicKey, admission: stranger.admission },
        signature: stranger.sign(`vfo-redis-presence-v1\n${farmId}\n${foreignText}`),
      }),
    ).toEqual([]);
    // The node's own record for another farm.
    const otherFarm = new Presence({
      link,
      keys: farmKeys('0'.repeat(16)),
      farmId: '0'.repeat(16),
      identity,
      trust: new FarmTrust(key),
    });
    await otherFarm.publish(record('http://127.0.0.1:4871'));
    const otherValue = JSON.parse(
      (await link.client.get(farmKeys('0'.repeat(16)).nodeKey(identity.id))) as string,
    );
    expect(await store(otherValue)).toEqual([]);
    // Its own record from a minute ago, brought back after it expired: not believed, but its node stays
    // in the set (a clock a minute off is no reason to drop a node everyone else sees).
    const old = { ...JSON.parse(genuine.record), time: Date.now() - 60_000 };
    const oldText = JSON.stringify(old);
    expect(
      await store({
        ...genuine,
        record: oldText,
        signature: identity.sign(`vfo-redis-presence-v1\n${farmId}\n${oldText}`),
      }),
    ).toEqual([]);
    expect(await link.client.smembers(keys.nodes)).toContain(identity.id);
    await presence.remove(identity.id);
    await otherFarm.remove(identity.id);
  });
});

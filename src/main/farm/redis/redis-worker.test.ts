/**
 * A Redis-mode worker's failure, in a real redis-server: BullMQ keeps what the worker failed a task
 * with, and that is the worker's signed word for that run of the task (task-envelope.ts), the only
 * failure the origin believes. The encode itself is the narrow `perform` the worker is given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RedisServer, startRedis, stopAllRedis } from '../../../../test/farm/redis-support.ts';
import { tinyPlan } from '../../ffmpeg/test-fixtures.ts';
import {
  ephemeralIdentity,
  FarmTrust,
  farmIdOf,
  farmKeyFromText,
  generateFarmKey,
  TlsTrust,
} from '../net/index.ts';
import { farmKeys } from './farm-keys.ts';
import { parseRedisUrl, RedisLink } from './redis-link.ts';
import { RedisOriginQueue } from './redis-origin-queue.ts';
import { RedisWorker, type RedisWorkerDeps } from './redis-worker.ts';
import { verifyFailure } from './task-envelope.ts';

const key = farmKeyFromText(generateFarmKey());
const farmId = farmIdOf(key);
const keys = farmKeys(farmId);
const trust = new FarmTrust(key);
const origin = ephemeralIdentity(key);
const workerIdentity = ephemeralIdentity(key);
let dir: string;
let redis: RedisServer;
let link: RedisLink;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-redis-worker-'));
  redis = await startRedis({ dir });
  link = new RedisLink({ target: parseRedisUrl(redis.url) });
  link.connect();
  expect(await link.settle(5000)).toBe('ready');
});

afterAll(async () => {
  link?.close();
  await stopAllRedis();
  await rm(dir, { recursive: true, force: true });
});

/** A Redis worker of a member whose encodes fail with `reason` (the origin still wants every task). */
function failingWorker(reason: string, clock?: () => number): RedisWorker {
  return new RedisWorker({
    link,
    keys,
    farmId,
    identity: workerIdentity,
    trust,
    tls: new TlsTrust(),
    client: { json: async () => ({ wanted: true }) } as unknown as RedisWorkerDeps['client'],
    encoders: async () => ['libx264'],
    maxConcurrency: 1,
    worker: {
      perform: async () => ({ kind: 'failed', reason }),
      leases: () => [],
      paused: false,
      draining: false,
      yielding: null,
    },
    ...(clock ? { clock } : {}),
  });
}

it('fails a task in its own signed word, which names the worker and the reason', async () => {
  const queue = new RedisOriginQueue({
    link,
    keys,
    farmId,
    identity: origin,
    trust,
    originTls: null,
    route: () => 'libx264',
    serves: () => true,
    onFailed: () => undefined,
  });
  const task = {
    id: 'b'.repeat(64),
    originNodeId: origin.id,
    originUrl: 'http://127.0.0.1:1',
    jobId: 'job-1',
    priority: 0,
    plan: tinyPlan(),
    requirements: { encoders: ['libx264'] },
  };
  const worker = failingWorker('the encoder crashed');
  const inspect = new Queue(keys.queueOf('libx264'), { connection: link.client, prefix: keys.prefix });
  try {
    expect(await queue.submit(task)).toBe('queued');
    await worker.start();
    const deadline = Date.now() + 10_000;
    let job: Job | undefined;
    while (!job?.failedReason && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      job = await Job.fromId(inspect, task.id);
    }
    const { nonce } = JSON.parse(job?.data.fields) as { nonce: string };
    // The reason first: a node of a version before signed failures shows it as it is.
    expect(job?.failedReason).toMatch(/^the encoder crashed\n\nvfo-signed-failure \{/);
    expect(verifyFailure(trust, job?.failedReason ?? '', { taskId: task.id, nonce })).toEqual({
      reason: 'the encoder crashed',
      worker: workerIdentity.id,
    });
    // Bound to this run of the task: the same words under another run's nonce are not believed.
    expect(
      verifyFailure(trust, job?.failedReason ?? '', { taskId: task.id, nonce: 'c'.repeat(32) }),
    ).toBeNull();
  } finally {
    await worker.stop();
    await inspect.close();
    await queue.close();
  }
});

// Found by attacking Redis mode: a 300 MB job took a worker longer to read than a lock lasts; it could
// not be failed, BullMQ found it stalled, and every worker read it again every 10 s, for good.
it('removes a refused job read past its lock, and fails one it still holds', async () => {
  const queueName = keys.queueOf('libx264');
  const inspect = new Queue(queueName, { connection: link.client, prefix: keys.prefix });
  let slowReads = 0;
  // The first job's check holds the event loop past the lock (4 s), as reading 300 MB did.
  const worker = failingWorker('never encoded', () => {
    if (slowReads++ === 0) {
      const until = Date.now() + 5500;
      while (Date.now() < until);
    }
    return Date.now();
  });
  const stateOf = async (id: string) => (await Job.fromId(inspect, id))?.getState() ?? 'removed';
  try {
    await inspect.add('encode', { junk: 'read past its lock' }, { jobId: 'junk-1' });
    await worker.start();
    const deadline = Date.now() + 15_000;
    while ((await stateOf('junk-1')) !== 'removed' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(await stateOf('junk-1')).toBe('removed');
    // Gone for good: nothing queues it again to be read again.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await stateOf('junk-1')).toBe('removed');
    // Refused while this worker holds it: failed, as before.
    await inspect.add('encode', { junk: 'read at once' }, { jobId: 'junk-2' });
    const failedBy = Date.now() + 10_000;
    while ((await stateOf('junk-2')) !== 'failed' && Date.now() < failedBy)
      await new Promise((r) => setTimeout(r, 100));
    expect(await stateOf('junk-2')).toBe('failed');
  } finally {
    await worker.stop();
    await inspect.obliterate({ force: true });
    await inspect.close();
  }
}, 40_000);

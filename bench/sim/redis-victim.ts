/**
 * A worker of the Redis-mode farm that takes one task and holds it until it is killed (bench/redis.ts
 * kills it with -9 to time how soon the task runs elsewhere). Same BullMQ settings as a real node.
 * Usage: node bench/sim/redis-victim.ts REDIS_URL PREFIX QUEUE; prints one JSON line per event.
 */
import { Worker } from 'bullmq';
import { parseRedisUrl, RedisLink } from '../../src/main/farm/redis/redis-link.ts';
import { REDIS_TUNING } from '../../src/main/farm/redis/tuning.ts';

const [url, prefix, queue] = process.argv.slice(2) as [string, string, string];
const link = new RedisLink({ target: parseRedisUrl(url) });
link.connect();
const worker = new Worker(
  queue,
  async (job) => {
    process.stdout.write(`${JSON.stringify({ event: 'taken', job: job.id, at: Date.now() })}\n`);
    await new Promise(() => undefined);
  },
  {
    connection: link.connection('victim'),
    prefix,
    name: 'victim',
    lockDuration: REDIS_TUNING.lockDurationMs,
    lockRenewTime: REDIS_TUNING.lockRenewMs,
    stalledInterval: REDIS_TUNING.stalledIntervalMs,
    maxStalledCount: REDIS_TUNING.maxStalledCount,
  },
);
await worker.waitUntilReady();
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);

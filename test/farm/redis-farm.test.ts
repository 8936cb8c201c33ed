/**
 * Acceptance of a farm whose queue is in Redis (BullMQ), on real `vfo node` processes and a real
 * redis-server on loopback: two nodes and a render box that joined only by the Redis URL (its own data
 * folder, no mDNS socket at all) encode one video between them; jobs forged or replayed into Redis are
 * refused by the workers before any work; an on-demand box started for a waiting task ends itself once
 * the queue stays empty (seed 002's scale-up and scale-down).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/db/open.ts';
import {
  ephemeralIdentity,
  farmIdOf,
  farmKeyFromText,
  generateFarmKey,
} from '../../src/main/farm/net/index.ts';
import { FARM_ENCODERS } from '../../src/main/farm/node/farm-encoders.ts';
import { farmKeys } from '../../src/main/farm/redis/farm-keys.ts';
import { parseRedisUrl, RedisLink } from '../../src/main/farm/redis/redis-link.ts';
import { signFailure, signTask, type TaskJobData } from '../../src/main/farm/redis/task-envelope.ts';
import { farmQueueSetting } from '../../src/main/settings/index.ts';
import { REPO, tempDir } from '../support/vfo.ts';
import {
  expectOneVideoAtOrigin,
  expectPreviewVideo,
  type FarmKeyFile,
  type FarmStatus,
  ffmpegOf,
  jobOf,
  logEvents,
  longScript,
  makeFarmKey,
  type NodeProcess,
  peerOf,
  startNode,
  statusOf,
  stopFarm,
  submitScript,
  until,
  waitForJobs,
} from './farm-support.ts';
import { mdnsSocketsOf, type RedisServer, startRedis, stopAllRedis } from './redis-support.ts';
import { expectSameAsWhole, multiSceneScript } from './segment-support.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let redis: RedisServer;
let link: RedisLink;
let alpha: NodeProcess;
let bravo: NodeProcess;
let box: NodeProcess;
const queueName = 'encode-libx264';
let queue: Queue;

const redisArgs = () => ['--redis', redis.url];

beforeAll(async () => {
  dir = await tempDir('vfo-redis-farm-');
  key = await makeFarmKey(dir.path);
  redis = await startRedis({ dir: join(dir.path, 'redis') });
  const extraArgs = [...redisArgs(), '--min-segment-seconds', '2'];
  [alpha, bravo, box] = await Promise.all([
    startNode({ root: dir.path, name: 'alpha', key, extraArgs }),
    startNode({ root: dir.path, name: 'bravo', key, extraArgs }),
    // A rented box: worker only, its own empty data folder, nothing but the Redis URL to find the farm.
    startNode({
      root: dir.path,
      name: 'box',
      key,
      role: 'worker',
      dataDir: join(dir.path, 'box-data'),
      extraArgs: redisArgs(),
    }),
  ]);
  link = new RedisLink({ target: parseRedisUrl(redis.url) });
  link.connect();
  queue = new Queue(queueName, {
    connection: link.client,
    prefix: farmKeys(farmIdOf(farmKeyFromText(key.text))).prefix,
  });
});

afterAll(async () => {
  await queue?.close();
  link?.close();
  await stopFarm(undefined, key);
  await stopAllRedis();
  await dir?.remove();
});

/** Status as `node` sees it once every node in `names` is listed online. */
async function farmOf(node: NodeProcess, names: string[]): Promise<FarmStatus> {
  return until(
    async () => {
      const status = await statusOf(key, node);
      const online = status.nodes.filter((n) => n.status === 'online').map((n) => n.name);
      return names.every((n) => online.includes(n)) ? status : undefined;
    },
    20_000,
    `${names.join(', ')} to be online at ${node.name}`,
  );
}

/** The tasks each node took ("task taken"), by node name. */
function takenBy(nodes: NodeProcess[]): Map<string, string[]> {
  const taken = new Map<string, string[]>();
  for (const node of nodes)
    taken.set(
      node.name,
      logEvents(node, 'task taken').map((e) => String(e.task)),
    );
  return taken;
}

describe('a farm with its queue in Redis', () => {
  it('has no coordinator and no mDNS, and every node that joined by URL is listed', async () => {
    const status = await farmOf(alpha, ['alpha', 'bravo', 'box']);
    expect(status.queue.backend).toBe('redis');
    expect(status.coordinator).toBeNull();
    expect(status.nodes.find((n) => n.name === 'box')?.role).toBe('worker');
    for (const node of [alpha, bravo, box]) {
      expect(JSON.parse(node.stdout().split('\n')[0] as string)).toMatchObject({ queue: 'redis' });
      expect(mdnsSocketsOf(node.pid), `mDNS sockets of ${node.name}`).toBe(0);
    }
    // The same check sees a LAN node's mDNS socket: it would catch one in Redis mode.
    const lanDir = join(dir.path, 'lan-control');
    const lanKey = await makeFarmKey(await mkdir(lanDir, { recursive: true }).then(() => lanDir));
    const lan = await startNode({ root: lanDir, name: 'lan-control', key: lanKey });
    try {
      await until(() => mdnsSocketsOf(lan.pid) > 0, 10_000, 'the LAN node to open its mDNS socket');
    } finally {
      await lan.destroy();
      lanKey.client.close();
    }
  });

  it('takes a node whose Settings name the Redis (the app’s Farm queue field) into it without --redis', async () => {
    const dataDir = join(dir.path, 'settled');
    const database = openDatabase(dataDir);
    farmQueueSetting.write(database.db, { redisUrl: redis.url, advertiseUrl: null });
    database.close();
    const settled = await startNode({ root: dir.path, name: 'settled', key, dataDir });
    try {
      expect(JSON.parse(settled.stdout().split('\n')[0] as string)).toMatchObject({ queue: 'redis' });
      await farmOf(alpha, ['settled']);
      expect(mdnsSocketsOf(settled.pid)).toBe(0);
    } finally {
      // Stopped, not killed: it leaves the farm's list at once (the next test counts free slots).
      settled.signal('SIGTERM');
      await until(() => settled.exited(), 15_000, 'the settled node to stop');
    }
  });

  it('starts a render box with the systemd unit’s and the Dockerfile’s own command lines', async () => {
    // The unit's ExecStart with its Environment= values, paths moved into this test's folder.
    const unit = readFileSync(join(REPO, 'deploy/worker/vfo-worker.service'), 'utf8');
    const env: Record<string, string> = { VFO_REDIS_URL: redis.url };
    for (const [, name, value] of unit.matchAll(/^Environment=(\w+)=(.*)$/gm))
      env[name as string] ??= value as string;
    const execStart = /^ExecStart=((?:.*\\\n)*.*)$/m.exec(unit)?.[1]?.replace(/\\\n\s*/g, '') as string;
    const unitArgs = execStart
      .split(/\s+/)
      .map((word) => word.replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? ''))
      .map((word) =>
        word
          .replace('/opt/vfo/', `${REPO}/`)
          .replace('/var/lib/vfo', join(dir.path, 'unit-box'))
          .replace('/etc/vfo/farm-key', key.path),
      );
    expect(unitArgs[0]).toBe('/usr/bin/node');
    // The Dockerfile's entry point, given the flags its header documents.
    const docker = readFileSync(join(REPO, 'deploy/worker/Dockerfile'), 'utf8');
    const entry = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(docker)?.[1] as string) as string[];
    expect(docker).toMatch(/apt-get install -y --no-install-recommends ffmpeg/);
    const dockerArgs = [
      ...entry.map((word) => (word === 'bin/vfo.js' ? join(REPO, word) : word)),
      ...['--redis', redis.url, '--farm-key-file', key.path, '--exit-when-idle', '10m'],
      ...['--data', join(dir.path, 'docker-box')],
    ];
    for (const [name, args] of [
      ['unit-box', unitArgs],
      ['docker-box', dockerArgs],
    ] as const) {
      const box = spawn(process.execPath, args.slice(1), { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      box.stdout.on('data', (d) => {
        out += d;
      });
      try {
        const listening = await until(
          () => out.split('\n').find((l) => l.includes('"listening"')),
          30_000,
          `${name} to start`,
        );
        expect(JSON.parse(listening)).toMatchObject({ queue: 'redis' });
        const { id } = JSON.parse(listening) as { id: string };
        await until(
          async () => (await statusOf(key, alpha)).nodes.find((n) => n.id === id)?.role === 'worker',
          15_000,
          `${name} to join the farm`,
        );
      } finally {
        box.kill('SIGTERM');
        await new Promise((resolve) => (box.exitCode === null ? box.once('exit', resolve) : resolve(null)));
      }
      expect(box.exitCode, name).toBe(0);
    }
  });

  it('encodes one video on both nodes and the worker that joined only by URL, joined and verified', async () => {
    const before = takenBy([alpha, bravo, box]);
    const jobId = await submitScript(key, alpha, 'three.md', multiSceneScript('redis', 6));
    const [job] = await waitForJobs(key, alpha, [jobId], 150_000);
    expect(job?.status, job?.error ?? '').toBe('done');
    const [split] = logEvents(alpha, 'video split into segments').filter((e) => e.job === jobId);
    const segments = ((split?.segments ?? []) as { task: string }[]).map((s) => s.task);
    expect(segments).toHaveLength(3);
    // Each segment was encoded once, and all three machines took part.
    const after = takenBy([alpha, bravo, box]);
    const byNode = [...after].map(([name, tasks]) => [
      name,
      tasks.filter((t) => !before.get(name)?.includes(t) && segments.includes(t)),
    ]) as [string, string[]][];
    expect(byNode.flatMap(([, tasks]) => tasks).sort()).toEqual([...segments].sort());
    expect(
      byNode.filter(([, tasks]) => tasks.length > 0).map(([name]) => name),
      `segments per node: ${JSON.stringify(byNode)}`,
    ).toEqual(['alpha', 'bravo', 'box']);
    for (const task of segments)
      expect(logEvents(alpha, 'result accepted').filter((e) => e.task === task)).toHaveLength(1);
    await expectSameAsWhole(alpha, jobId, dir.path);
    await expectPreviewVideo(job?.output as string);
    // The box kept nothing but its cache: no job of its own.
    expect((await statusOf(key, box)).queue).toMatchObject({ backend: 'redis', failed: 0 });
  });

  it('refuses jobs forged or replayed into Redis before any work, and never calls a forged origin', async () => {
    let attackerHits = 0;
    const attacker: Server = createServer((_request, response) => {
      attackerHits++;
      response.end('{}');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const attackerUrl = `http://127.0.0.1:${(attacker.address() as { port: number }).port}`;
    try {
      // A genuine task of alpha's, captured from Redis (its job finished; its video is at alpha).
      const done = (await queue.getJobs(['completed'])).find(
        (j) => (j.data as TaskJobData).signer?.id === alpha.id,
      );
      expect(done, 'a finished job of alpha in Redis').toBeDefined();
      const captured = done?.data as TaskJobData;
      const capturedId = String(done?.id);
      const fresh = () =>
        Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
      const fields = JSON.parse(captured.fields);
      const stranger = ephemeralIdentity(farmKeyFromText(generateFarmKey()));
      const forgedByStranger = signTask(
        stranger,
        {
          farm: fields.farm,
          queue: queueName,
          taskId: '',
          jobId: 'job',
          originUrl: attackerUrl,
          originTls: null,
          plan: JSON.parse(captured.plan),
        },
        Date.now(),
      );
      const cases: { name: string; id: string; data: unknown; reason: RegExp }[] = [];
      const add = (name: string, data: unknown, reason: RegExp, id = fresh()) =>
        cases.push({ name, id, data, reason });
      // Replays: the exact signed payload under a new job id.
      add('replayed under another id', captured, /refused \(replayed\)/);
      // Forgeries: the origin moved to the attacker, a stranger's key, a swapped plan.
      // Every field right for where it is put, but the origin moved to the attacker: only the
      // signature stands in the way.
      const editedId = fresh();
      add(
        'origin edited',
        { ...captured, fields: JSON.stringify({ ...fields, originUrl: attackerUrl, taskId: editedId }) },
        /refused \(bad-signature\)/,
        editedId,
      );
      const strangerId = fresh();
      add(
        'signed by a key the farm never admitted',
        {
          ...forgedByStranger,
          fields: JSON.stringify({ ...JSON.parse(forgedByStranger.fields), taskId: strangerId }),
        },
        /refused \(not-admitted\)/,
        strangerId,
      );
      add(
        'plan swapped',
        { ...captured, plan: JSON.stringify({ version: 1 }) },
        /refused \((tampered|replayed)\)/,
      );
      add('not a signed task', { plan: 'anything', originUrl: attackerUrl }, /refused \(invalid\)/);
      for (const c of cases) await queue.add('encode', c.data, { jobId: c.id, attempts: 3 });
      const takenCount = (id: string) =>
        [alpha, bravo, box].flatMap((n) => logEvents(n, 'task taken')).filter((e) => e.task === id).length;
      const capturedTakes = takenCount(capturedId);
      // The captured payload again under its own id (after its job was cleaned away): signed right,
      // but alpha no longer wants that task, so it is not encoded again.
      await (await Job.fromId(queue, capturedId))?.remove();
      await queue.add('encode', captured, { jobId: capturedId, attempts: 3 });

      for (const c of cases) {
        const job = await until(
          async () => {
            const found = await Job.fromId(queue, c.id);
            if (!found || (await found.getState()) !== 'failed') return undefined;
            // Read again: its fields may have been read just before it failed (the state after).
            return Job.fromId(queue, c.id);
          },
          15_000,
          `the ${c.name} job to be refused`,
        );
        expect(job.failedReason, c.name).toMatch(c.reason);
        // Refused at once: one attempt, not retried.
        expect(job.attemptsMade, c.name).toBe(1);
      }
      const replayed = await until(
        async () => {
          const found = await Job.fromId(queue, capturedId);
          if (!found || (await found.getState()) !== 'completed') return undefined;
          // Read again: its fields may have been read just before it completed (CI saw a null value).
          return Job.fromId(queue, capturedId);
        },
        15_000,
        'the replay under its own id to be dropped',
      );
      expect(replayed.returnvalue).toEqual({ skipped: true });
      const nodes = [alpha, bravo, box];
      // Nothing refused was encoded, and the replayed task was not encoded again.
      for (const c of cases) expect(takenCount(c.id), c.name).toBe(0);
      expect(takenCount(capturedId)).toBe(capturedTakes);
      const refusals = nodes.flatMap((n) => logEvents(n, 'task refused'));
      for (const c of cases)
        expect(
          refusals.some((r) => r.task === c.id),
          c.name,
        ).toBe(true);
      expect(nodes.flatMap((n) => ffmpegOf(n))).toEqual([]);
      expect(attackerHits, 'requests that reached the forged origin').toBe(0);
    } finally {
      await new Promise((resolve) => attacker.close(resolve));
    }
  });

  it('shows a waiting task in the queue length; an on-demand box takes it and ends itself when idle', async () => {
    for (const node of [alpha, bravo, box])
      await key.client.json(peerOf(node), 'POST', '/farm/v1/worker/pause');
    // The origin splits a video by the free slots it sees: once they are all paused, none.
    await until(
      async () => (await statusOf(key, alpha)).nodes.every((n) => n.status === 'paused'),
      10_000,
      'every node to be paused',
    );
    const jobId = await submitScript(key, alpha, 'waiting.md', longScript('on-demand', 3));
    // What a scale-up hook reads: `vfo status --json` → queue.queued.
    await until(
      async () => (await statusOf(key, alpha)).queue.queued >= 1,
      60_000,
      'the task to wait in the queue',
    );
    const spot = await startNode({
      root: dir.path,
      name: 'spot',
      key,
      role: 'worker',
      extraArgs: [...redisArgs(), '--exit-when-idle', '2s'],
    });
    const [job] = await waitForJobs(key, alpha, [jobId], 90_000);
    expect(job?.status, job?.error ?? '').toBe('done');
    await expectPreviewVideo(job?.output as string);
    const task = expectOneVideoAtOrigin(alpha, job as NonNullable<typeof job>);
    expect(logEvents(spot, 'task taken').map((e) => e.task)).toEqual([task]);
    // Nothing left to do: the box exits by itself (0), and leaves the farm's list.
    const finished = Date.now();
    await until(() => spot.exited(), 20_000, 'the on-demand box to exit when idle');
    expect(spot.child.exitCode).toBe(0);
    expect(Date.now() - finished).toBeGreaterThan(1000);
    expect(spot.stdout()).toMatch(/"event":"idle-exit"/);
    await until(
      async () => !(await statusOf(key, alpha)).nodes.some((n) => n.name === 'spot'),
      10_000,
      'the box to leave the status',
    );
    for (const node of [alpha, bravo, box])
      await key.client.json(peerOf(node), 'POST', '/farm/v1/worker/resume');
  });

  // Found by attacking Redis mode: a failed job's task, put back in its queue by anyone who can write
  // to Redis (its signature holds for a week), was encoded again and the video accepted.
  it('does not encode a failed job’s task that someone put back in the queue', async () => {
    const nodes = [alpha, bravo, box];
    for (const node of nodes) await key.client.json(peerOf(node), 'POST', '/farm/v1/worker/pause');
    await until(
      async () => (await statusOf(key, alpha)).nodes.every((n) => n.status === 'paused'),
      10_000,
      'every node to be paused',
    );
    const jobId = await submitScript(key, alpha, 'gives-up.md', longScript('gives-up', 2));
    const keys = farmKeys(farmIdOf(farmKeyFromText(key.text)));
    const queues = FARM_ENCODERS.map(
      (encoder) => new Queue(keys.queueOf(encoder), { connection: link.client, prefix: keys.prefix }),
    );
    const [held, waiting] = await until(
      async () => {
        for (const q of queues) {
          // A paused node that took it gave it back for later: delayed.
          const jobs = await q.getJobs(['wait', 'prioritized', 'delayed']);
          const mine = jobs.find((j) => JSON.parse((j.data as TaskJobData).fields).jobId === jobId);
          if (mine) return [q, mine] as const;
        }
        return undefined;
      },
      60_000,
      'the task to wait in a queue',
    );
    const taskId = String(waiting.id);
    // The farm gives the task up: a member's worker whose encodes crash for good (in its signed word).
    const member = ephemeralIdentity(farmKeyFromText(key.text));
    const crasher = new Worker(
      held.name,
      async (job) => {
        const { nonce } = JSON.parse((job.data as TaskJobData).fields) as { nonce: string };
        throw new UnrecoverableError(
          signFailure(member, { taskId: String(job.id), nonce }, 'the encoder crashed'),
        );
      },
      { connection: link.connection('crasher'), prefix: queue.opts.prefix, name: 'crasher' },
    );
    try {
      await until(
        async () => ((await jobOf(key, alpha, jobId)).status === 'failed' ? true : undefined),
        30_000,
        'the job to fail',
      );
    } finally {
      await crasher.close();
    }
    for (const node of nodes) await key.client.json(peerOf(node), 'POST', '/farm/v1/worker/resume');
    // Someone who can write to Redis (no farm key) puts the failed job back in its queue.
    await (await Job.fromId(held, taskId))?.retry('failed');
    const dropped = await until(
      async () => {
        const found = await Job.fromId(held, taskId);
        if (!found || (await found.getState()) !== 'completed') return undefined;
        // Read again, as above: read just before it completed, its return value was null.
        return Job.fromId(held, taskId);
      },
      30_000,
      'the copy to be dropped',
    );
    expect(dropped.returnvalue).toEqual({ skipped: true });
    const taken = nodes.flatMap((n) => logEvents(n, 'task taken')).filter((e) => e.task === taskId);
    expect(taken).toEqual([]);
    expect((await jobOf(key, alpha, jobId)).status).toBe('failed');
    await Promise.all(queues.map((q) => q.close()));
  }, 150_000);
});

/**
 * A Redis-mode farm across networks, encrypted end to end on loopback: redis-server speaks only TLS
 * (rediss://, certificate from a test CA the nodes trust with --tls-ca), the origin serves HTTPS with a
 * self-signed certificate (--tls-cert/--tls-key), and a worker that was given nothing but the farm key,
 * the Redis URL and the CA learns the origin's fingerprint from the task the origin signed: it fetches
 * the plan's assets and uploads the video over HTTPS. Clients reach the origin with --tls-pin.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateFingerprint,
  createFarmClient,
  type FarmClient,
  FarmTrust,
  farmKeyFromText,
  TlsTrust,
} from '../../src/main/farm/net/index.ts';
import { selfSignedCert, testCa } from '../support/tls.ts';
import { runVfo, tempDir } from '../support/vfo.ts';
import {
  expectOneVideoAtOrigin,
  expectPreviewVideo,
  type FarmKeyFile,
  type FarmStatus,
  type JobView,
  logEvents,
  longScript,
  makeFarmKey,
  type NodeProcess,
  startNode,
  stopFarm,
  until,
} from './farm-support.ts';
import { freePort, type RedisServer, startRedis, stopAllRedis } from './redis-support.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let redis: RedisServer;
let origin: NodeProcess;
let worker: NodeProcess;
let pin: string;
let client: FarmClient;

beforeAll(async () => {
  dir = await tempDir('vfo-redis-tls-');
  key = await makeFarmKey(dir.path);
  const ca = testCa(dir.path);
  const redisCert = ca.issue('redis');
  const originCert = selfSignedCert(dir.path, 'origin');
  pin = certificateFingerprint(originCert.cert);
  redis = await startRedis({
    dir: join(dir.path, 'redis'),
    tls: { certPath: redisCert.certPath, keyPath: redisCert.keyPath, caPath: ca.certPath },
  });
  expect(redis.url).toMatch(/^rediss:\/\//);
  const port = await freePort();
  const common = ['--redis', redis.url, '--tls-ca', ca.certPath];
  [origin, worker] = await Promise.all([
    startNode({
      root: dir.path,
      name: 'uniform',
      key,
      extraArgs: [
        ...common,
        ...['--port', String(port), '--advertise-url', `https://127.0.0.1:${port}`],
        ...['--tls-cert', originCert.certPath, '--tls-key', originCert.keyPath],
      ],
    }),
    startNode({ root: dir.path, name: 'romeo', key, role: 'worker', extraArgs: common }),
  ]);
  const farmKey = farmKeyFromText(key.text);
  client = createFarmClient({
    identity: key.identity,
    trust: new FarmTrust(farmKey),
    tls: new TlsTrust({ pins: { [`https://127.0.0.1:${port}`]: pin } }),
    timeoutMs: 10_000,
  });
});

afterAll(async () => {
  client?.close();
  await stopFarm(undefined, key);
  await stopAllRedis();
  await dir?.remove();
});

describe('a Redis-mode farm over TLS', () => {
  it('serves https with the fingerprint it prints, and talks to Redis over rediss://', async () => {
    expect(origin.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.parse(origin.stdout().split('\n')[0] as string)).toMatchObject({
      queue: 'redis',
      tlsSha256: pin,
    });
    const status = await until(
      async () => {
        const s = await client.json<FarmStatus>({ url: origin.url, id: origin.id }, 'GET', '/api/v1/status');
        return s.nodes.filter((n) => n.status === 'online').length === 2 ? s : undefined;
      },
      20_000,
      'both nodes to be listed',
    );
    expect(status.queue.backend).toBe('redis');
  });

  it('renders on a worker that learned the origin’s certificate from the signed task', async () => {
    const peer = { url: origin.url, id: origin.id };
    await client.json(peer, 'POST', '/farm/v1/worker/pause');
    await until(
      async () =>
        (await client.json<FarmStatus>(peer, 'GET', '/api/v1/status')).nodes.find((n) => n.id === origin.id)
          ?.status === 'paused',
      10_000,
      'the origin to be paused',
    );
    const { jobId } = await client.json<{ jobId: string }>(peer, 'POST', '/farm/v1/jobs', {
      name: 'tls.md',
      text: longScript('tls', 3),
    });
    const job = await until(
      async () => {
        const view = await client.json<JobView>(peer, 'GET', `/farm/v1/jobs/${jobId}`);
        return ['done', 'failed'].includes(view.status) ? view : undefined;
      },
      90_000,
      'the job to finish',
      500,
    );
    expect(job.status, job.error ?? '').toBe('done');
    await expectPreviewVideo(job.output as string);
    const task = expectOneVideoAtOrigin(origin, job);
    expect(logEvents(worker, 'task taken').map((e) => e.task)).toEqual([task]);
    expect(logEvents(worker, 'result delivered').map((e) => e.task)).toEqual([task]);
  });

  it('lets a CLI client in with the pinned fingerprint, and refuses it without', async () => {
    const withPin = await runVfo([
      'status',
      '--node',
      origin.url,
      '--farm-key-file',
      key.path,
      '--tls-pin',
      pin,
      '--json',
    ]);
    expect(withPin.code, withPin.stderr).toBe(0);
    expect((JSON.parse(withPin.stdout) as FarmStatus).queue.backend).toBe('redis');
    const wrongPin = await runVfo([
      'status',
      '--node',
      origin.url,
      '--farm-key-file',
      key.path,
      '--tls-pin',
      'ab'.repeat(32),
    ]);
    expect(wrongPin.code).toBe(1);
    expect(wrongPin.stderr).toMatch(/not the pinned one/);
    const none = await runVfo(['status', '--node', origin.url, '--farm-key-file', key.path]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--tls-pin|--tls-ca/);
  });
});

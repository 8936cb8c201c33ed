/**
 * Acceptance of the farm's security (docs/FARM.md, Security) against a real `vfo node` on loopback:
 * requests that are unsigned, signed with another key, replayed or stale are refused with 401; bodies
 * that are too large (413), malformed or off-schema (400) are refused before anything is created; a
 * RenderPlan naming an asset "../../etc/passwd" is refused both as a lease offer and as a task; a blob
 * path that tries to leave the blob store returns nothing. Every refusal is logged, the key never is.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ephemeralIdentity,
  farmKeyFromText,
  generateFarmKey,
  type NodeIdentity,
  signRequest,
} from '../../src/main/farm/net/index.ts';
import { leaseOfferSchema } from '../../src/main/farm/node/schemas.ts';
import { taskInputSchema } from '../../src/main/farm/queue/schemas.ts';
import { type RenderPlan, validateRenderPlan } from '../../src/shared/render-plan.ts';
import { tempDir } from '../support/vfo.ts';
import {
  type FarmKeyFile,
  logEvents,
  makeFarmKey,
  type NodeProcess,
  readDb,
  sleep,
  startNode,
  statusOf,
  stopFarm,
  until,
} from './farm-support.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let node: NodeProcess;
const wrongKeyText = generateFarmKey();

interface Reply {
  status: number;
  body: Buffer;
  json: { error?: { code: string; reason?: string; issues?: { path: string; message: string }[] } } & Record<
    string,
    unknown
  >;
}

/** Every refusal this file provoked, to find each in the node's log. */
const refusals: { method: string; path: string; status: number; reason?: string }[] = [];

interface RawInput {
  method: string;
  /** Sent exactly as given (no normalisation of dots or percent-escapes). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body chunked, without a content-length. */
  chunked?: boolean;
}

function raw(input: RawInput): Promise<Reply> {
  const { hostname, port } = new URL(node.url);
  const body = input.body === undefined ? undefined : Buffer.from(input.body);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...input.headers };
    if (body && !input.chunked) headers['content-length'] = String(body.length);
    const req = request({
      host: hostname,
      port,
      method: input.method,
      path: input.path,
      headers,
      agent: false,
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks);
        let json: Reply['json'] = {};
        try {
          json = JSON.parse(text.toString('utf8'));
        } catch {
          // not JSON (a file): the caller looks at the bytes
        }
        resolve({ status: res.statusCode ?? 0, body: text, json });
      });
    });
    // A server that refuses a big body early may close before it is all sent: the reply still counts.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (body) req.end(body);
    else req.end();
  });
}

function signedHeaders(
  method: string,
  path: string,
  body: Buffer | string | null,
  options: { identity?: NodeIdentity; now?: number } = {},
): Record<string, string> {
  const contentType = body === null ? '' : 'application/json';
  const headers = signRequest(options.identity ?? key.identity, {
    method,
    pathWithQuery: path,
    contentType,
    to: node.id,
    body: body === null ? null : Buffer.from(body),
    now: options.now ?? Date.now(),
  });
  if (contentType) headers['content-type'] = contentType;
  return headers;
}

async function signed(method: string, path: string, body?: unknown): Promise<Reply> {
  const bytes =
    body === undefined ? null : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers = signedHeaders(method, path, bytes);
  return raw({ method, path, headers, ...(bytes ? { body: bytes } : {}) });
}

function expectRefused(reply: Reply, method: string, path: string, status: number, reason?: string): void {
  expect(reply.status, reply.body.toString('utf8').slice(0, 300)).toBe(status);
  if (reason) expect(reply.json.error?.reason).toBe(reason);
  refusals.push({ method, path: path.split('?')[0] as string, status, ...(reason ? { reason } : {}) });
}

const SHA = 'b'.repeat(64);

function plan(assetName: string): RenderPlan {
  return {
    version: 1,
    id: 'security-plan',
    title: 'Security',
    output: {
      container: 'mp4',
      width: 640,
      height: 360,
      fps: 25,
      videoCodec: 'h264',
      encoders: ['libx264'],
      bitrate: '1M',
      crf: 26,
      speedPreset: 'ultrafast',
      pixelFormat: 'yuv420p',
      audioCodec: 'aac',
      audioBitrate: '96k',
      audioSampleRate: 48000,
    },
    durationMs: 2000,
    assets: {
      narration: { sha256: SHA, size: 100, kind: 'audio', name: 'narration.wav' },
      still: { sha256: SHA, size: 100, kind: 'image', name: assetName },
    },
    scenes: [{ startMs: 0, durationMs: 2000, visual: { kind: 'image', asset: 'still', motion: 'none' } }],
    audio: { narration: 'narration' },
  };
}

const TASK_ID = 'c'.repeat(64);
const LEASE_ID = 'd'.repeat(32);

function leaseOffer(assetName: string) {
  return {
    leaseId: LEASE_ID,
    taskId: TASK_ID,
    jobId: 'security-job',
    originUrl: 'http://127.0.0.1:9/',
    originNodeId: 'securityorigin',
    coordinatorUrl: 'http://127.0.0.1:9/',
    coordinatorId: 'securitycoordinator',
    plan: plan(assetName),
  };
}

function taskInput(assetName: string) {
  return {
    id: TASK_ID,
    originNodeId: 'securityorigin',
    originUrl: 'http://127.0.0.1:9',
    jobId: 'security-job',
    priority: 0,
    createdAt: Date.now(),
    plan: plan(assetName),
    requirements: { encoders: ['libx264'] },
  };
}

function jobCount(): number {
  return readDb<{ n: number }>(node.dataDir, 'SELECT count(*) AS n FROM jobs')[0]?.n ?? -1;
}

beforeAll(async () => {
  dir = await tempDir('vfo-security-');
  key = await makeFarmKey(dir.path);
  node = await startNode({ root: dir.path, name: 'hotel', key });
  // Alone, it becomes its own coordinator: the coordinator's routes (tasks) are live.
  await until(
    async () => (await statusOf(key, node)).coordinator?.id === node.id,
    20_000,
    'the node to become coordinator',
  );
});

afterAll(() => stopFarm(dir, key));

describe('a farm node refuses what is not from its farm', () => {
  it('answers a properly signed request (the control)', async () => {
    const reply = await signed('GET', '/api/v1/status');
    expect(reply.status).toBe(200);
    expect(reply.json.self).toBe(node.id);
  });

  it('refuses unsigned requests with 401, creating nothing', async () => {
    for (const path of ['/api/v1/status', '/farm/v1/hello', `/farm/v1/blobs/${SHA}`]) {
      expectRefused(await raw({ method: 'GET', path }), 'GET', path, 401, 'missing');
    }
    const body = JSON.stringify({ name: 'unsigned.md', text: '# Hi\n\nHello.\n' });
    const reply = await raw({
      method: 'POST',
      path: '/farm/v1/jobs',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expectRefused(reply, 'POST', '/farm/v1/jobs', 401, 'missing');
    expect(jobCount()).toBe(0);
  });

  it('refuses a request from an identity another farm key admitted with 401', async () => {
    const wrong = ephemeralIdentity(farmKeyFromText(wrongKeyText));
    const path = '/api/v1/status';
    const reply = await raw({
      method: 'GET',
      path,
      headers: signedHeaders('GET', path, null, { identity: wrong }),
    });
    expectRefused(reply, 'GET', path, 401, 'not-admitted');

    const body = JSON.stringify({ name: 'forged.md', text: '# Hi\n\nHello.\n' });
    const forged = await raw({
      method: 'POST',
      path: '/farm/v1/jobs',
      headers: signedHeaders('POST', '/farm/v1/jobs', body, { identity: wrong }),
      body,
    });
    expectRefused(forged, 'POST', '/farm/v1/jobs', 401, 'not-admitted');
    expect(jobCount()).toBe(0);
  });

  it('refuses a replayed request with 401 "replayed": a captured command does not run twice', async () => {
    const status = '/api/v1/status';
    const headers = signedHeaders('GET', status, null);
    expect((await raw({ method: 'GET', path: status, headers })).status).toBe(200);
    expectRefused(await raw({ method: 'GET', path: status, headers }), 'GET', status, 401, 'replayed');

    // A state-changing call: pause, resume, then the captured pause again.
    const pause = '/farm/v1/worker/pause';
    const captured = signedHeaders('POST', pause, null);
    const first = await raw({ method: 'POST', path: pause, headers: captured });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ paused: true });
    expect((await signed('POST', '/farm/v1/worker/resume')).json).toMatchObject({ paused: false });
    expectRefused(
      await raw({ method: 'POST', path: pause, headers: captured }),
      'POST',
      pause,
      401,
      'replayed',
    );
    const self = (await statusOf(key, node)).nodes.find((n) => n.id === node.id);
    expect(self?.status).toBe('online');
  });

  it('refuses a stale (or future) timestamp with 401', async () => {
    const path = '/api/v1/status';
    for (const skew of [-60_000, 60_000]) {
      const headers = signedHeaders('GET', path, null, { now: Date.now() + skew });
      expectRefused(await raw({ method: 'GET', path, headers }), 'GET', path, 401, 'stale');
    }
  });

  it('refuses a JSON body over 1 MiB with 413, declared or chunked, creating nothing', async () => {
    const body = JSON.stringify({ name: 'big.md', text: `# Big\n\n${'Words. '.repeat(160_000)}\n` });
    expect(Buffer.byteLength(body)).toBeGreaterThan(1024 * 1024);
    const path = '/farm/v1/jobs';
    for (const chunked of [false, true]) {
      const headers = signedHeaders('POST', path, body);
      const reply = await raw({ method: 'POST', path, headers, body, chunked });
      expectRefused(reply, 'POST', path, 413);
      expect(reply.json.error?.code).toBe('too-large');
    }
    expect(jobCount()).toBe(0);
  });

  it('refuses malformed and off-schema JSON with 400, creating nothing', async () => {
    const path = '/farm/v1/jobs';
    const malformed = await signed('POST', path, '{"name": "a.md", "text": ');
    expectRefused(malformed, 'POST', path, 400);
    expect(malformed.json.error?.code).toBe('invalid-json');

    for (const body of [
      { name: 'no-text.md' },
      { name: '../../escape.md', text: '# Hi\n\nHello.\n' },
      { name: 'extra.md', text: '# Hi\n\nHello.\n', path: '/etc/passwd' },
      [1, 2, 3],
    ]) {
      const reply = await signed('POST', path, body);
      expectRefused(reply, 'POST', path, 400);
      expect(reply.json.error?.code).toBe('invalid-body');
    }
    // A heartbeat whose lease id is a path is refused the same way.
    const heartbeat = await signed('POST', '/farm/v1/heartbeat', {
      freeSlots: 1,
      leases: [{ leaseId: '../../vfo.db' }],
    });
    expectRefused(heartbeat, 'POST', '/farm/v1/heartbeat', 400);
    expect(jobCount()).toBe(0);
    expect(existsSync(join(node.dataDir, 'imports'))).toBe(false);
  });

  it('refuses a lease offer whose plan names an asset "../../etc/passwd" with 400, starting nothing', async () => {
    // The control: the same offer with a bare file name passes the very schema the route uses.
    expect(leaseOfferSchema.safeParse(leaseOffer('still.png')).success).toBe(true);
    expect(leaseOfferSchema.safeParse(leaseOffer('../../etc/passwd')).success).toBe(false);

    for (const name of ['../../etc/passwd', '..', 'sub/still.png', '..\\..\\vfo.db']) {
      const reply = await signed('POST', '/farm/v1/leases', leaseOffer(name));
      expectRefused(reply, 'POST', '/farm/v1/leases', 400);
      expect(reply.json.error?.code).toBe('invalid-body');
      expect(reply.json.error?.issues?.map((i) => i.path)).toContain('plan.assets.still.name');
    }
    // Had an offer been taken, its worker would be fetching from the (closed) origin port by now.
    await sleep(500);
    const self = (await statusOf(key, node)).nodes.find((n) => n.id === node.id);
    expect(self?.running).toBe(0);
    expect(existsSync(join(node.dataDir, 'farm', 'work', LEASE_ID))).toBe(false);
    expect(node.log()).not.toContain(LEASE_ID);
  });

  it('refuses a task whose plan names an asset "../../etc/passwd" with 400, queueing nothing', async () => {
    expect(taskInputSchema.safeParse(taskInput('still.png')).success).toBe(true);
    expect(validateRenderPlan(plan('still.png')).ok).toBe(true);
    expect(validateRenderPlan(plan('../../etc/passwd')).ok).toBe(false);

    const reply = await signed('POST', '/farm/v1/tasks', taskInput('../../etc/passwd'));
    expectRefused(reply, 'POST', '/farm/v1/tasks', 400);
    expect(reply.json.error?.code).toBe('invalid-body');
    expect(reply.json.error?.issues?.map((i) => i.path)).toContain('plan');

    // Had the task been queued, the scheduler (every 250 ms) would have leased it by now.
    await sleep(500);
    expect((await statusOf(key, node)).queue).toEqual({
      backend: 'lan',
      queued: 0,
      running: 0,
      done: 0,
      failed: 0,
    });
    expect(readDb(node.dataDir, 'SELECT id FROM farm_tasks')).toEqual([]);
    expect(logEvents(node, 'task leased')).toEqual([]);
    expect(node.log()).not.toContain(TASK_ID);
  });

  it('never serves a file outside the blob store, whatever the blob path', async () => {
    const attempts = [
      '/farm/v1/blobs/..%2F..%2Fvfo.db',
      '/farm/v1/blobs/..%2f..%2fvfo.db',
      '/farm/v1/blobs/%2e%2e%2f%2e%2e%2fvfo.db',
      '/farm/v1/blobs/..%2Fnode-id',
      '/farm/v1/blobs/../../vfo.db',
      '/farm/v1/blobs/..',
      `/farm/v1/blobs/${SHA}%2F..%2F..%2Fvfo.db`,
    ];
    for (const path of attempts) {
      const reply = await raw({ method: 'GET', path, headers: signedHeaders('GET', path, null) });
      expect([400, 404], `${path} → ${reply.status}`).toContain(reply.status);
      const text = reply.body.toString('latin1');
      expect(text).not.toContain('SQLite format');
      expect(text).not.toContain(node.id);
      expect(reply.json.error?.code).toMatch(/^(invalid-param|not-found)$/);
      refusals.push({ method: 'GET', path, status: reply.status });
    }
    // A well-formed sha256 the store does not hold: a plain 404 from the handler, no content.
    const missing = await signed('GET', `/farm/v1/blobs/${SHA}`);
    expect(missing.status).toBe(404);
  });

  it('logs a line for every refusal, and never the farm key', async () => {
    const logged = logEvents(node, 'request refused');
    for (const refusal of refusals) {
      const matching = logged.filter(
        (e) =>
          e.method === refusal.method &&
          e.path === refusal.path &&
          (refusal.status === 401 ? e.reason === refusal.reason : e.status === refusal.status),
      );
      expect(matching.length, `log line for ${JSON.stringify(refusal)}`).toBeGreaterThanOrEqual(1);
    }
    // One line per refusal, no more and no less (the path alone may repeat, so count them all).
    expect(logged).toHaveLength(refusals.length);
    for (const event of logged) expect(event.remoteAddress).toBe('127.0.0.1');

    const everything = node.log() + node.stdout();
    expect(everything).not.toContain(key.text);
    expect(everything).not.toContain(wrongKeyText);
    expect(everything).not.toContain(Buffer.from(key.text).toString('base64'));
    expect(everything).not.toContain(Buffer.from(key.text).toString('hex'));
  });
});

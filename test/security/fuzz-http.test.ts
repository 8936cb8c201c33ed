/**
 * Random bytes at a real node's HTTP edges (fast-check): the farm routes, the UI's API with a logged-in
 * session (so the contract's dispatcher sees the arguments), and raw garbage on the socket. Every answer
 * is a 4xx (never a 5xx, never a stack trace or internal text), and the node is still up afterwards.
 */
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHODS } from '../../src/shared/contract.ts';
import {
  type FarmKeyFile,
  makeFarmKey,
  type NodeProcess,
  startNode,
  statusOf,
  stopFarm,
} from '../farm/farm-support.ts';
import { hasStackTrace, tempDir } from '../support/vfo.ts';
import { rebuild, sendRaw } from './wire.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let node: NodeProcess;
let cookie = '';

const FARM_PATHS = [
  '/farm/v1/hello',
  '/farm/v1/jobs',
  '/farm/v1/tasks',
  '/farm/v1/heartbeat',
  '/farm/v1/announce',
  '/farm/v1/leases',
  '/farm/v1/workers',
  '/farm/v1/coordinator',
  `/farm/v1/blobs/${'a'.repeat(64)}`,
  `/farm/v1/results/${'b'.repeat(64)}?lease=${'c'.repeat(32)}&encoder=libx264`,
  '/farm/v1/worker/pause',
  '/farm/v1/activity',
  '/farm/v1/history?since=0',
  `/farm/v1/tasks/${'d'.repeat(64)}/requeue`,
  '/farm/v1/jobs/job-1/priority',
  '/farm/v1/blocks/clear',
  '/farm/v1/queue',
  '/api/v1/status',
  '/api/v1/session',
  '/api/v1/session/challenge',
];

const headerValue = fc.oneof(
  fc.string({ maxLength: 100 }),
  fc.stringMatching(/^[0-9a-f]{0,90}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,100}$/),
  fc.constantFrom('', '0', '-1', '99999999999999999999', 'application/json', '../../etc/passwd'),
);
const safeHeader = (value: string) => value.replace(/[\r\n\0]/g, '').replace(/[^\x20-\x7e]/g, '?');

const randomRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  path: fc.oneof(
    fc.constantFrom(...FARM_PATHS),
    fc
      .constantFrom(...FARM_PATHS)
      .chain((p) =>
        fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=:@/?-]{0,40}$/).map((tail) => `${p}${tail}`),
      ),
  ),
  headers: fc.dictionary(
    fc.constantFrom(
      'x-vfo-node',
      'x-vfo-key',
      'x-vfo-admission',
      'x-vfo-to',
      'x-vfo-time',
      'x-vfo-nonce',
      'x-vfo-signature',
      'x-vfo-body-sha256',
      'content-type',
      'x-vfo-ui',
      'expect',
      'range',
    ),
    headerValue,
    { maxKeys: 8 },
  ),
  body: fc.oneof(
    fc.constant(''),
    fc.json({ maxDepth: 3 }),
    fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b).toString('latin1')),
  ),
});

function bytesOf(
  request: { method: string; path: string; headers: Record<string, string>; body: string },
  extra: [string, string][] = [],
): Buffer {
  const body = Buffer.from(request.body, 'latin1');
  const headers: [string, string][] = [
    ['Host', 'localhost'],
    ...Object.entries(request.headers).map(([n, v]): [string, string] => [n, safeHeader(v)]),
    ...extra,
    ['content-length', String(body.length)],
    ['connection', 'close'],
  ];
  return rebuild({ method: request.method, path: request.path, headers, body });
}

beforeAll(async () => {
  dir = await tempDir('vfo-fuzz-');
  key = await makeFarmKey(dir.path);
  node = await startNode({ root: dir.path, name: 'romeo', key });
  const challenge = await sendRaw(
    node.url,
    rebuild({
      method: 'GET',
      path: '/api/v1/session/challenge',
      headers: [
        ['Host', 'localhost'],
        ['x-vfo-ui', '1'],
      ],
      body: Buffer.alloc(0),
    }),
  );
  const nonce = challenge.json.nonce as string;
  const proof = createHmac('sha256', key.text).update(`vfo-ui-session:${nonce}`).digest('hex');
  const body = Buffer.from(JSON.stringify({ nonce, proof }));
  const session = await sendRaw(
    node.url,
    rebuild({
      method: 'POST',
      path: '/api/v1/session',
      headers: [
        ['Host', 'localhost'],
        ['content-type', 'application/json'],
        ['x-vfo-ui', '1'],
        ['content-length', String(body.length)],
      ],
      body,
    }),
  );
  cookie = String(session.headers['set-cookie']).split(';')[0] as string;
  expect(cookie).toMatch(/^vfo_session=/);
});

afterAll(() => stopFarm(dir, key));

function expectClientError(status: number, body: string): void {
  expect(status, body.slice(0, 200)).toBeGreaterThanOrEqual(400);
  expect(status, body.slice(0, 200)).toBeLessThan(500);
  expect(hasStackTrace(body)).toBe(false);
  expect(body).not.toMatch(/SQLITE|node:internal|at \w+ \(/);
}

describe('random requests at a real node', () => {
  it('farm routes and the login answer every random request with a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(randomRequest, async (request) => {
        const reply = await sendRaw(node.url, bytesOf(request));
        // The one public call that answers anyone (a login challenge) may say yes.
        if (reply.status === 200 && request.path.startsWith('/api/v1/session/challenge')) return;
        expectClientError(reply.status, reply.body.toString('utf8'));
      }),
      { numRuns: 150 },
    );
  });

  it('the UI API answers random arguments to every method with a 4xx value, never internal text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS, 'jobs.destroy', 'constructor.name'),
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.record({ id: fc.anything() }),
          fc.record({ paused: fc.anything() }),
        ),
        async (method, args) => {
          const text = JSON.stringify(args) ?? 'null';
          const reply = await sendRaw(
            node.url,
            rebuild({
              method: 'POST',
              path: `/api/v1/call/${method}`,
              headers: [
                ['Host', 'localhost'],
                ['cookie', cookie],
                ['x-vfo-ui', '1'],
                ['content-type', 'application/json'],
                ['content-length', String(Buffer.byteLength(text))],
                ['connection', 'close'],
              ],
              body: Buffer.from(text),
            }),
          );
          // A random argument can be valid (e.g. farm.status {}): then it is answered, and only then 200.
          if (reply.status === 200) {
            expect(reply.json).toMatchObject({ ok: true });
            return;
          }
          expectClientError(reply.status, reply.body.toString('utf8'));
          expect(reply.json).toMatchObject({ ok: false });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('raw garbage on the socket gets a 400 (or a closed connection), and the node stays up', async () => {
    const { hostname, port } = new URL(node.url);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (bytes) => {
        const answer = await new Promise<string>((resolve) => {
          const socket = connect(Number(port), hostname);
          let text = '';
          socket.on('data', (d) => {
            text += d.toString('latin1');
          });
          socket.on('error', () => resolve(text));
          socket.on('close', () => resolve(text));
          socket.write(Buffer.from(bytes));
          socket.end();
          setTimeout(() => socket.destroy(), 3_000);
        });
        if (answer) expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
      }),
      { numRuns: 100 },
    );
    expect(node.exited()).toBe(false);
    expect((await statusOf(key, node)).self).toBe(node.id);
    expect(hasStackTrace(node.log())).toBe(false);
  });
});

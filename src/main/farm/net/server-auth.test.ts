import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bearerAuth } from './authenticate.ts';
import { uiTokenOf } from './key.ts';
import {
  captureLogs,
  makeKey,
  type RawReply,
  rawRequest,
  type SignedRawInput,
  signedRawRequest,
  startServer,
} from './net.fixture.ts';
import { jsonRoute, type Route } from './routes.ts';
import { FARM_HEADER, signRequest } from './signing.ts';

const T0 = 1_700_000_000_000;
const { key, text: keyText } = makeKey();
let url: string;
let close: () => Promise<void>;

const routes: Route[] = [
  { method: 'GET', pattern: '/farm/v1/hello', auth: 'farm', handler: (ctx) => ({ you: ctx.nodeId }) },
  { method: 'GET', pattern: '/farm/v1/health', auth: 'none', handler: () => ({ ok: true }) },
  jsonRoute({
    method: 'POST',
    pattern: '/farm/v1/echo',
    auth: 'farm',
    body: 'json',
    schema: z.object({ name: z.string() }),
    handler: (ctx) => ({ name: ctx.body.name }),
  }),
  {
    method: 'GET',
    pattern: '/api/v1/status',
    auth: bearerAuth(uiTokenOf(key)),
    handler: () => ({ ui: true }),
  },
];

beforeAll(async () => {
  const running = await startServer(routes, { key, clock: () => T0 });
  url = running.url;
  close = running.close;
});
afterAll(async () => {
  await close();
});

const send = (input: Partial<SignedRawInput> & { method: string; path: string }) =>
  signedRawRequest(url, key, { now: T0, ...input });

describe('farm server authentication', () => {
  it('accepts a signed request and tells the handler who sent it', async () => {
    const reply = await send({ method: 'GET', path: '/farm/v1/hello' });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ you: 'node-a' });
    expect(JSON.stringify(reply.headers)).not.toContain(keyText);
    expect(reply.headers[FARM_HEADER.signature]).toBeUndefined();
  });

  const hello = { method: 'GET', path: '/farm/v1/hello' };
  const refusals: Array<[string, () => Promise<RawReply>, string]> = [
    ['unsigned', () => rawRequest(url, hello), 'missing'],
    ['signed with another key', () => send({ ...hello, signKey: makeKey().key }), 'bad-signature'],
    [
      'with a tampered body',
      () => send({ method: 'POST', path: '/farm/v1/echo', body: '{"name":"a"}', sendBody: '{"name":"b"}' }),
      'bad-signature',
    ],
    [
      'with a tampered path',
      () => send({ method: 'GET', path: '/farm/v1/hello?x=1', sendPath: '/farm/v1/hello?x=2' }),
      'bad-signature',
    ],
    ['31 s old', () => send({ ...hello, now: T0 - 31_000 }), 'stale'],
    ['31 s ahead', () => send({ ...hello, now: T0 + 31_000 }), 'stale'],
  ];
  for (const [name, attempt, reason] of refusals) {
    it(`refuses a request ${name} with 401 ${reason}, logged without the key`, async () => {
      const logs = captureLogs();
      try {
        const reply = await attempt();
        expect(reply.status).toBe(401);
        expect(reply.json).toMatchObject({ error: { code: 'unauthorized', reason } });
        const line = logs.records.find((r) => r.message === 'request refused');
        expect(line?.fields).toMatchObject({ reason, remoteAddress: '127.0.0.1' });
        expect(line?.fields.path).toMatch(/^\/farm\/v1\//);
        expect(line?.fields.method).toMatch(/GET|POST/);
        expect(logs.text()).not.toContain(keyText);
        expect(logs.text()).not.toMatch(/[0-9a-f]{64}/); // no signature (nor any HMAC) in the log
      } finally {
        logs.stop();
      }
    });
  }

  it('refuses an unsigned body before reading it, even an oversized one', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
    const reply = await rawRequest(url, {
      method: 'POST',
      path: '/farm/v1/echo',
      headers: { 'content-type': 'application/json', expect: '100-continue' },
      body,
    });
    expect(reply.status).toBe(401);
    expect(reply.json).toMatchObject({ error: { reason: 'missing' } });
  });

  it('refuses a replayed request', async () => {
    const headers = signRequest(key, {
      method: 'GET',
      pathWithQuery: '/farm/v1/hello',
      nodeId: 'n',
      now: T0,
    });
    expect((await rawRequest(url, { ...hello, headers })).status).toBe(200);
    const replay = await rawRequest(url, { ...hello, headers });
    expect(replay.status).toBe(401);
    expect(replay.json).toMatchObject({ error: { code: 'unauthorized', reason: 'replayed' } });
  });

  it("lets anyone reach an auth 'none' route, and a custom rule decide its own", async () => {
    expect((await rawRequest(url, { method: 'GET', path: '/farm/v1/health' })).status).toBe(200);
    const status = { method: 'GET', path: '/api/v1/status' };
    const token = uiTokenOf(key);
    const ok = await rawRequest(url, { ...status, headers: { authorization: `Bearer ${token}` } });
    expect(ok.json).toEqual({ ui: true });
    const forged = `Bearer ${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    expect((await rawRequest(url, { ...status, headers: { authorization: forged } })).status).toBe(401);
    expect((await rawRequest(url, status)).status).toBe(401);
  });
});

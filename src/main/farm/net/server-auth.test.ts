import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FarmApp } from '../../http/index.ts';
import { sha256Hex } from '../../util/hash.ts';
import type { Peer } from './client.ts';
import { ephemeralIdentity } from './identity.ts';
import {
  captureLogs,
  identityFor,
  makeKey,
  type RawReply,
  rawRequest,
  type SignedRawInput,
  signedRawRequest,
  startServer,
} from './net.fixture.ts';
import { FARM_HEADER, signRequest, verifyReply } from './signing.ts';
import { FarmTrust } from './trust.ts';

const T0 = 1_700_000_000_000;
const { key, text: keyText } = makeKey();
let url: string;
let server: Peer;
let close: () => Promise<void>;
/** A custom rule (the UI's is a session cookie): here, a fixed header value. */
const customRule = (request: IncomingMessage) => request.headers['x-test-pass'] === 'open sesame';

function routes(app: FarmApp): void {
  app.get('/farm/v1/hello', { config: { auth: 'farm' } }, (request) => ({ you: request.caller }));
  app.get('/farm/v1/health', { config: { auth: 'none' } }, () => ({ ok: true }));
  app.post(
    '/farm/v1/echo',
    { config: { auth: 'farm' }, schema: { body: z.object({ name: z.string() }) } },
    (request) => ({ name: request.body.name }),
  );
  app.get('/api/v1/status', { config: { auth: customRule } }, () => ({ ui: true }));
}

beforeAll(async () => {
  const running = await startServer(routes, { key, clock: () => T0 });
  url = running.url;
  server = running.peer;
  close = running.close;
});
afterAll(async () => {
  await close();
});

const send = (input: Partial<SignedRawInput> & { method: string; path: string }) =>
  signedRawRequest(server, key, { now: T0, ...input });

describe('farm server authentication', () => {
  it('accepts a signed request and tells the handler who sent it', async () => {
    const reply = await send({ method: 'GET', path: '/farm/v1/hello' });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ you: identityFor(key).id });
    expect(JSON.stringify(reply.headers)).not.toContain(keyText);
    // The reply is signed by the server for this request (verified properly in signing.test.ts).
    expect(reply.headers[FARM_HEADER.node]).toBe(server.id);
    expect(reply.headers[FARM_HEADER.signature]).toMatch(/^[A-Za-z0-9_-]{86}$/);
  });

  it('signs its reply for the request it answers', async () => {
    const headers = signRequest(identityFor(key), {
      method: 'GET',
      pathWithQuery: '/farm/v1/hello',
      to: server.id,
      now: T0,
    });
    const reply = await rawRequest(url, { method: 'GET', path: '/farm/v1/hello', headers });
    const fields = {
      status: reply.status,
      contentType: String(reply.headers['content-type']),
      bodySha256: sha256Hex(reply.text),
      requestNonce: headers[FARM_HEADER.nonce] as string,
      requester: identityFor(key).id,
    };
    const trust = new FarmTrust(key);
    expect(verifyReply(trust, server.id, reply.headers, fields)).toBe(true);
    expect(verifyReply(trust, server.id, reply.headers, { ...fields, requestNonce: '0'.repeat(32) })).toBe(
      false,
    );
  });

  const hello = { method: 'GET', path: '/farm/v1/hello' };
  const refusals: Array<[string, () => Promise<RawReply>, string]> = [
    ['unsigned', () => rawRequest(url, hello), 'missing'],
    [
      'from an identity another farm key admitted',
      () => send({ ...hello, identity: ephemeralIdentity(makeKey().key) }),
      'not-admitted',
    ],
    ['signed for another node', () => send({ ...hello, to: ephemeralIdentity(key).id }), 'wrong-receiver'],
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

  it('parses a body only once its signature holds', async () => {
    // Headers anyone may copy from a node's public identity, over a body made to be costly to parse:
    // refused for its signature, never parsed (parsing first answered "not valid JSON").
    const nesting = '['.repeat(300_000);
    const forged = await send({
      method: 'POST',
      path: '/farm/v1/echo',
      body: '{"name":"a"}',
      sendBody: nesting,
    });
    expect(forged.status).toBe(401);
    expect(forged.json).toMatchObject({ error: { code: 'unauthorized', reason: 'bad-signature' } });
    const signed = await send({ method: 'POST', path: '/farm/v1/echo', body: nesting });
    expect(signed.status).toBe(400);
    expect(signed.json).toMatchObject({ error: { code: 'invalid-json' } });
    const valid = await send({ method: 'POST', path: '/farm/v1/echo', body: '{"name":"a"}' });
    expect(valid.json).toEqual({ name: 'a' });
  });

  it('refuses a replayed request', async () => {
    const headers = signRequest(identityFor(key), {
      method: 'GET',
      pathWithQuery: '/farm/v1/hello',
      to: server.id,
      now: T0,
    });
    expect((await rawRequest(url, { ...hello, headers })).status).toBe(200);
    const replay = await rawRequest(url, { ...hello, headers });
    expect(replay.status).toBe(401);
    expect(replay.json).toMatchObject({ error: { code: 'unauthorized', reason: 'replayed' } });
  });

  it('refuses a request captured before the node restarted, and serves one signed after', async () => {
    // The nonces of the first run are gone with it; the time window alone would let this through.
    const identity = ephemeralIdentity(key);
    const first = await startServer(routes, { key, identity, clock: () => T0 });
    const captured = signRequest(identityFor(key), {
      method: 'GET',
      pathWithQuery: '/farm/v1/hello',
      to: identity.id,
      now: T0 + 1_000,
    });
    expect((await rawRequest(first.url, { ...hello, headers: captured })).status).toBe(200);
    await first.close();
    const second = await startServer(routes, { key, identity, clock: () => T0 + 5_000 });
    try {
      const replay = await rawRequest(second.url, { ...hello, headers: captured });
      expect(replay.status).toBe(401);
      expect(replay.json).toMatchObject({ error: { code: 'unauthorized', reason: 'before-start' } });
      const fresh = await signedRawRequest(second.peer, key, { ...hello, now: T0 + 5_000 });
      expect(fresh.status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it("lets anyone reach an auth 'none' route, and a custom rule decide its own", async () => {
    expect((await rawRequest(url, { method: 'GET', path: '/farm/v1/health' })).status).toBe(200);
    const status = { method: 'GET', path: '/api/v1/status' };
    const ok = await rawRequest(url, { ...status, headers: { 'x-test-pass': 'open sesame' } });
    expect(ok.json).toEqual({ ui: true });
    expect((await rawRequest(url, { ...status, headers: { 'x-test-pass': 'open sesame!' } })).status).toBe(
      401,
    );
    expect((await rawRequest(url, status)).status).toBe(401);
  });
});

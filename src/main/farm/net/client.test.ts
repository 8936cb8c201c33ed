import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FarmApp } from '../../http/index.ts';
import { errorBody } from '../../http/index.ts';
import type { FarmClient, Peer } from './client.ts';
import { FarmHttpError } from './errors.ts';
import { ephemeralIdentity } from './identity.ts';
import { makeClient, makeKey, startServer } from './net.fixture.ts';

const T0 = 1_700_000_000_000;
const { key, text: keyText } = makeKey();
let peer: Peer;
let clientId: string;
let close: () => Promise<void>;
let client: FarmClient;
let releaseHang: () => void = () => undefined;
const hang = new Promise<void>((resolve) => {
  releaseHang = resolve;
});

const SIGNED = { config: { auth: 'farm' as const } };

function routes(app: FarmApp): void {
  app.post(
    '/farm/v1/heartbeat',
    { ...SIGNED, schema: { body: z.object({ freeSlots: z.number() }) } },
    (request) => ({
      from: request.caller,
      freeSlots: request.body.freeSlots,
    }),
  );
  app.get('/farm/v1/hello', SIGNED, () => ({ term: 'not a number' }));
  app.get('/farm/v1/gone', SIGNED, (_request, reply) =>
    reply.code(409).send(errorBody('stale-lease', 'too late')),
  );
  app.get('/farm/v1/crash', SIGNED, () => {
    throw new Error('boom');
  });
  app.get('/farm/v1/slow', SIGNED, () => hang.then(() => ({})));
  app.delete('/farm/v1/leases/:id', SIGNED, (_request, reply) => reply.code(204).send());
}

beforeAll(async () => {
  const running = await startServer(routes, { key, clock: () => T0, closeGraceMs: 100 });
  peer = running.peer;
  close = running.close;
  const identity = ephemeralIdentity(key);
  clientId = identity.id;
  client = makeClient(key, { identity, clock: () => T0, timeoutMs: 2_000 });
});
afterAll(async () => {
  releaseHang();
  client.close();
  await close();
});

async function failure(promise: Promise<unknown>): Promise<FarmHttpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FarmHttpError);
  return error as FarmHttpError;
}

describe('farm client', () => {
  it('sends signed JSON and validates the reply', async () => {
    const schema = z.object({ from: z.string(), freeSlots: z.number() });
    const reply = await client.json(peer, 'POST', '/farm/v1/heartbeat', { freeSlots: 3 }, schema);
    expect(reply).toEqual({ from: clientId, freeSlots: 3 });
    // A 204 has no body.
    expect(await client.json(peer, 'DELETE', '/farm/v1/leases/L1')).toBeUndefined();
  });

  it("maps a refused signature to 'unauthorized' with the reason", async () => {
    const stranger = makeClient(makeKey().key, { trustKey: key, clock: () => T0 });
    const wrongKey = await failure(stranger.json(peer, 'GET', '/farm/v1/hello'));
    expect(wrongKey).toMatchObject({ kind: 'unauthorized', status: 401, reason: 'not-admitted' });
    stranger.close();
    const late = makeClient(key, { clock: () => T0 + 60_000 });
    // Its log says what to look at (a node 40 s ahead was refused by every peer, and no log said "clock").
    expect(await failure(late.json(peer, 'GET', '/farm/v1/hello'))).toMatchObject({
      reason: 'stale',
      message: expect.stringContaining('are both clocks set right?'),
    });
    late.close();
    const misaddressed = await failure(client.json({ ...peer, id: 'someone-else' }, 'GET', '/farm/v1/hello'));
    expect(misaddressed).toMatchObject({ kind: 'unauthorized', reason: 'wrong-receiver' });
  });

  it("believes a reply only from the node it addressed: another farm's server is 'unauthenticated'", async () => {
    const other = makeKey().key;
    const foreign = await startServer(routes, { key: other, clock: () => T0 });
    // The foreign server admits this client, but its own identity is not admitted by our farm key.
    const trusting = makeClient(other, { trustKey: key, clock: () => T0 });
    const error = await failure(trusting.json(foreign.peer, 'POST', '/farm/v1/heartbeat', { freeSlots: 1 }));
    expect(error).toMatchObject({ kind: 'unauthenticated', status: 200 });
    trusting.close();
    await foreign.close();
  });

  it('identifies the node at a URL only when the farm key admitted it', async () => {
    expect(await client.identify(peer.url)).toEqual(peer);
    // A node of another farm answers with its own, well-formed card (admitted by its own key).
    const otherKey = makeKey().key;
    const other = await startServer(() => undefined, {
      key: otherKey,
      identity: ephemeralIdentity(otherKey),
    });
    expect(await failure(client.identify(other.url))).toMatchObject({ kind: 'unauthenticated' });
    await other.close();
  });

  it("maps 4xx to 'rejected' with the server's code and 5xx to 'server'", async () => {
    expect(await failure(client.json(peer, 'GET', '/farm/v1/gone'))).toMatchObject({
      kind: 'rejected',
      status: 409,
      code: 'stale-lease',
    });
    expect(await failure(client.json(peer, 'POST', '/farm/v1/heartbeat', { freeSlots: 'x' }))).toMatchObject({
      kind: 'rejected',
      status: 400,
      code: 'invalid-body',
    });
    expect(await failure(client.json(peer, 'GET', '/farm/v1/crash'))).toMatchObject({
      kind: 'server',
      status: 500,
    });
  });

  it("maps a reply that fails its schema to 'bad-response'", async () => {
    const error = await failure(
      client.json(peer, 'GET', '/farm/v1/hello', undefined, z.object({ term: z.number() })),
    );
    expect(error.kind).toBe('bad-response');
    expect(error.message).toMatch(/term/);
  });

  it("maps a peer that is not there to 'unreachable'", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const gone = { url: `http://127.0.0.1:${port}`, id: peer.id };
    expect(await failure(client.json(gone, 'GET', '/farm/v1/hello'))).toMatchObject({
      kind: 'unreachable',
    });
  });

  it("maps a peer that does not answer in time to 'timeout'", async () => {
    const quick = makeClient(key, { clock: () => T0, timeoutMs: 200 });
    const started = Date.now();
    expect(await failure(quick.json(peer, 'GET', '/farm/v1/slow'))).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1_500);
    quick.close();
  });

  // Found by attacking the CLI from a hostile node: a reply trickled a byte every few seconds never
  // tripped the idle timeout, so `vfo submit` (its upload) and a worker (its download) waited for good.
  it('gives up a reply that trickles: an upload’s answer within the timeout, a blob at a floor rate', async () => {
    const trickler = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        const drip = setInterval(() => response.write(' '), 100);
        response.on('close', () => clearInterval(drip));
      });
    });
    await new Promise<void>((resolve) => trickler.listen(0, '127.0.0.1', resolve));
    const { port } = trickler.address() as AddressInfo;
    const hostile = { url: `http://127.0.0.1:${port}`, id: peer.id };
    const quick = makeClient(key, { clock: () => T0, timeoutMs: 300 });
    const dir = await mkdtemp(join(tmpdir(), 'vfo-trickle-'));
    try {
      const file = join(dir, 'body');
      await writeFile(file, 'x');
      const sha256 = 'a'.repeat(64);
      let started = Date.now();
      const upload = quick.upload(hostile, `/farm/v1/media/${sha256}`, file, { sha256, schema: z.unknown() });
      expect(await failure(upload)).toMatchObject({ kind: 'timeout' });
      expect(Date.now() - started).toBeLessThan(1_500);
      started = Date.now();
      const download = quick.download(hostile, '/farm/v1/blobs/x', join(dir, 'blob'), {
        expectSha256: sha256,
        maxBytes: 4096,
      });
      expect(await failure(download)).toMatchObject({ kind: 'timeout' });
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      quick.close();
      trickler.closeAllConnections();
      await new Promise((resolve) => trickler.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never puts the key in an error', async () => {
    const late = makeClient(key, { clock: () => T0 + 60_000 });
    const errors = [
      await failure(late.json(peer, 'GET', '/farm/v1/hello')),
      await failure(client.json(peer, 'GET', '/farm/v1/gone')),
    ];
    late.close();
    for (const error of errors) {
      expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(keyText);
    }
  });
});

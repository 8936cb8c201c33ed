import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFarmClient, type FarmClient } from './client.ts';
import { FarmHttpError } from './errors.ts';
import { makeKey, startServer } from './net.fixture.ts';
import { errorReply, jsonRoute, type Route } from './routes.ts';

const T0 = 1_700_000_000_000;
const { key, text: keyText } = makeKey();
let url: string;
let close: () => Promise<void>;
let client: FarmClient;
let releaseHang: () => void = () => undefined;
const hang = new Promise<void>((resolve) => {
  releaseHang = resolve;
});

const routes: Route[] = [
  jsonRoute({
    method: 'POST',
    pattern: '/farm/v1/heartbeat',
    auth: 'farm',
    body: 'json',
    schema: z.object({ freeSlots: z.number() }),
    handler: (ctx) => ({ from: ctx.nodeId, freeSlots: ctx.body.freeSlots }),
  }),
  { method: 'GET', pattern: '/farm/v1/hello', auth: 'farm', handler: () => ({ term: 'not a number' }) },
  {
    method: 'GET',
    pattern: '/farm/v1/gone',
    auth: 'farm',
    handler: () => errorReply(409, 'stale-lease', 'too late'),
  },
  {
    method: 'GET',
    pattern: '/farm/v1/crash',
    auth: 'farm',
    handler: () => {
      throw new Error('boom');
    },
  },
  { method: 'GET', pattern: '/farm/v1/slow', auth: 'farm', handler: () => hang.then(() => ({})) },
  { method: 'DELETE', pattern: '/farm/v1/leases/:id', auth: 'farm', handler: () => undefined },
];

beforeAll(async () => {
  const running = await startServer(routes, { key, clock: () => T0, closeGraceMs: 100 });
  url = running.url;
  close = running.close;
  client = createFarmClient({ key, nodeId: 'worker-1', clock: () => T0, timeoutMs: 2_000 });
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
    const reply = await client.json(url, 'POST', '/farm/v1/heartbeat', { freeSlots: 3 }, schema);
    expect(reply).toEqual({ from: 'worker-1', freeSlots: 3 });
    // A 204 has no body.
    expect(await client.json(url, 'DELETE', '/farm/v1/leases/L1')).toBeUndefined();
  });

  it("maps a refused signature to 'unauthorized' with the reason", async () => {
    const stranger = createFarmClient({ key: makeKey().key, nodeId: 'x', clock: () => T0 });
    const wrongKey = await failure(stranger.json(url, 'GET', '/farm/v1/hello'));
    expect(wrongKey).toMatchObject({ kind: 'unauthorized', status: 401, reason: 'bad-signature' });
    stranger.close();
    const late = createFarmClient({ key, nodeId: 'x', clock: () => T0 + 60_000 });
    expect(await failure(late.json(url, 'GET', '/farm/v1/hello'))).toMatchObject({ reason: 'stale' });
    late.close();
  });

  it("maps 4xx to 'rejected' with the server's code and 5xx to 'server'", async () => {
    expect(await failure(client.json(url, 'GET', '/farm/v1/gone'))).toMatchObject({
      kind: 'rejected',
      status: 409,
      code: 'stale-lease',
    });
    expect(await failure(client.json(url, 'POST', '/farm/v1/heartbeat', { freeSlots: 'x' }))).toMatchObject({
      kind: 'rejected',
      status: 400,
      code: 'invalid-body',
    });
    expect(await failure(client.json(url, 'GET', '/farm/v1/crash'))).toMatchObject({
      kind: 'server',
      status: 500,
    });
  });

  it("maps a reply that fails its schema to 'bad-response'", async () => {
    const error = await failure(
      client.json(url, 'GET', '/farm/v1/hello', undefined, z.object({ term: z.number() })),
    );
    expect(error.kind).toBe('bad-response');
    expect(error.message).toMatch(/term/);
  });

  it("maps a peer that is not there to 'unreachable'", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    expect(await failure(client.json(`http://127.0.0.1:${port}`, 'GET', '/farm/v1/hello'))).toMatchObject({
      kind: 'unreachable',
    });
  });

  it("maps a peer that does not answer in time to 'timeout'", async () => {
    const quick = createFarmClient({ key, nodeId: 'q', clock: () => T0, timeoutMs: 200 });
    const started = Date.now();
    expect(await failure(quick.json(url, 'GET', '/farm/v1/slow'))).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1_500);
    quick.close();
  });

  it('never puts the key in an error', async () => {
    const late = createFarmClient({ key, nodeId: 'x', clock: () => T0 + 60_000 });
    const errors = [
      await failure(late.json(url, 'GET', '/farm/v1/hello')),
      await failure(client.json(url, 'GET', '/farm/v1/gone')),
    ];
    late.close();
    for (const error of errors) {
      expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(keyText);
    }
  });
});

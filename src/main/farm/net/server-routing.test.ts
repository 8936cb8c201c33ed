import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FarmApp } from '../../http/index.ts';
import { errorBody, sendCheckedFile } from '../../http/index.ts';
import { sha256Hex } from '../../util/hash.ts';
import type { Peer } from './client.ts';
import {
  captureLogs,
  identityFor,
  makeKey,
  makeTempDir,
  rawRequest,
  removeDir,
  type SignedRawInput,
  signedRawRequest,
  startServer,
} from './net.fixture.ts';
import { signRequest } from './signing.ts';

const T0 = 1_700_000_000_000;
const { key } = makeKey();
const calls = { blobs: 0 };
let dir: string;
let url: string;
let server: Peer;
let close: () => Promise<void>;
const blob = 'hello blob';
const blobSha = sha256Hex(blob);

const SIGNED = { config: { auth: 'farm' as const } };
const ID = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

function routes(app: FarmApp): void {
  app.get('/farm/v1/hello', SIGNED, () => ({}));
  app.post(
    '/farm/v1/echo',
    { ...SIGNED, schema: { body: z.object({ name: z.string().min(1), count: z.number().int() }) } },
    (request) => ({ name: request.body.name.toUpperCase(), count: request.body.count + 1 }),
  );
  app.get(
    '/farm/v1/blobs/:sha256',
    { ...SIGNED, schema: { params: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }) } },
    (request, reply) => {
      calls.blobs += 1;
      const sha256 = request.params.sha256;
      return sendCheckedFile(reply, join(dir, 'blobs', sha256), { sha256, onMismatch: () => undefined });
    },
  );
  app.get('/farm/v1/boom', SIGNED, () => {
    throw new Error('database exploded at /secret/place');
  });
  app.get(
    '/farm/v1/tasks/:id',
    { ...SIGNED, schema: { params: z.object({ id: ID }), querystring: z.object({ lease: ID }) } },
    (request) => ({ task: request.params.id, lease: request.query.lease }),
  );
  app.post('/farm/v1/leases/:id', SIGNED, (_request, reply) =>
    reply.code(409).send(errorBody('stale-lease', 'no')),
  );
}

beforeAll(async () => {
  dir = await makeTempDir();
  await mkdir(join(dir, 'blobs'));
  await writeFile(join(dir, 'blobs', blobSha), blob);
  await writeFile(join(dir, 'outside.txt'), 'outside');
  const running = await startServer(routes, { key, clock: () => T0 });
  url = running.url;
  server = running.peer;
  close = running.close;
});
afterAll(async () => {
  await close();
  await removeDir(dir);
});

const send = (input: Partial<SignedRawInput> & { method: string; path: string }) =>
  signedRawRequest(server, key, { now: T0, ...input });
const echo = (body: string) => send({ method: 'POST', path: '/farm/v1/echo', body });

describe('farm server bodies', () => {
  it('parses and validates a JSON body', async () => {
    const reply = await echo(JSON.stringify({ name: 'ab', count: 1 }));
    expect(reply.json).toEqual({ name: 'AB', count: 2 });
  });

  it('refuses a JSON body past 1 MiB with 413', async () => {
    const reply = await echo(JSON.stringify({ name: 'x'.repeat(1024 * 1024), count: 1 }));
    expect(reply.status).toBe(413);
    expect(reply.json).toMatchObject({ error: { code: 'too-large' } });
  });

  it('refuses malformed JSON and schema violations with 400 naming the issue', async () => {
    const malformed = await echo('{"name": "a",');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ error: { code: 'invalid-json' } });
    const invalid = await echo(JSON.stringify({ name: 'a', count: 1.5 }));
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ error: { code: 'invalid-body', issues: [{ path: 'count' }] } });
  });

  it('refuses a JSON route called with another content type with 415', async () => {
    const body = '{"name":"a","count":1}';
    // Signed as text/plain (the content type is part of the signature), so only the route objects.
    const headers = signRequest(identityFor(key), {
      method: 'POST',
      pathWithQuery: '/farm/v1/echo',
      contentType: 'text/plain',
      to: server.id,
      body,
      now: T0,
    });
    const reply = await rawRequest(url, {
      method: 'POST',
      path: '/farm/v1/echo',
      headers: { ...headers, 'content-type': 'text/plain' },
      body,
    });
    expect(reply.status).toBe(415);
  });
});

describe('farm server routing', () => {
  it('answers 404 for an unknown route and 405 (with Allow) for a wrong method', async () => {
    expect((await send({ method: 'GET', path: '/farm/v1/nothing' })).status).toBe(404);
    const wrongMethod = await send({ method: 'DELETE', path: '/farm/v1/hello' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET');
  });

  it('serves a blob by sha256 and never reads outside for a traversal attempt', async () => {
    const ok = await send({ method: 'GET', path: `/farm/v1/blobs/${blobSha}` });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe(blob);
    const before = calls.blobs;
    const attempts = [
      '/farm/v1/blobs/..%2F..%2Fetc%2Fpasswd',
      '/farm/v1/blobs/..%2Foutside.txt',
      '/farm/v1/blobs/../../etc/passwd',
      '/farm/v1/blobs/..',
      `/farm/v1/blobs/${blobSha.toUpperCase()}`,
      '/farm/v1/blobs/not-a-sha',
    ];
    for (const path of attempts) {
      const reply = await send({ method: 'GET', path });
      expect([400, 404]).toContain(reply.status);
      expect(reply.text).not.toContain('outside');
      expect(reply.text).not.toContain('root:');
    }
    expect(calls.blobs).toBe(before);
    expect((await send({ method: 'GET', path: '/farm/v1/blobs/not-a-sha' })).json).toMatchObject({
      error: { code: 'invalid-param' },
    });
  });

  it('validates the query string when the route declares a schema', async () => {
    const ok = await send({ method: 'GET', path: '/farm/v1/tasks/T1?lease=L-2' });
    expect(ok.json).toEqual({ task: 'T1', lease: 'L-2' });
    const bad = await send({ method: 'GET', path: '/farm/v1/tasks/T1?lease=..%2Fx' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'invalid-query', issues: [{ path: 'lease' }] } });
  });

  it('answers 404 for a valid sha256 that is not stored', async () => {
    expect((await send({ method: 'GET', path: `/farm/v1/blobs/${sha256Hex('absent')}` })).status).toBe(404);
  });

  it('turns a handler crash into a generic 500 and logs the details', async () => {
    const logs = captureLogs();
    try {
      const reply = await send({ method: 'GET', path: '/farm/v1/boom' });
      expect(reply.status).toBe(500);
      expect(reply.json).toEqual({ error: { code: 'internal', message: 'internal error' } });
      expect(logs.text()).toContain('database exploded');
    } finally {
      logs.stop();
    }
  });

  it('sends expected failures as values', async () => {
    const reply = await send({ method: 'POST', path: '/farm/v1/leases/L1' });
    expect(reply.status).toBe(409);
    expect(reply.json).toEqual({ error: { code: 'stale-lease', message: 'no' } });
  });

  it('refuses, at start-up, a route that does not say how it authenticates', () => {
    const unsaid = (app: FarmApp) => {
      app.get('/x', () => null);
    };
    return expect(startServer(unsaid, { key })).rejects.toThrow(/does not say how it authenticates/);
  });
});

import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FarmApp } from '../../http/index.ts';
import { BodyMismatchError, BodyTooLargeError, errorBody, receiveToFile } from '../../http/index.ts';
import { sha256Hex } from '../../util/hash.ts';
import type { FarmClient, Peer } from './client.ts';
import { FarmHttpError } from './errors.ts';
import {
  identityFor,
  listFiles,
  makeClient,
  makeKey,
  makeTempDir,
  rawRequest,
  removeDir,
  startServer,
} from './net.fixture.ts';
import { signRequest } from './signing.ts';

const { key } = makeKey();
const MAX_UPLOAD = 256 * 1024;
let dir: string;
let uploads: string;
let served: string;
let url: string;
let server: Peer;
let close: () => Promise<void>;
let client: FarmClient;
let handlerRuns = 0;

const UPLOAD = { config: { auth: 'farm' as const, upload: true }, bodyLimit: MAX_UPLOAD };

function routes(app: FarmApp): void {
  app.put(
    '/farm/v1/results/:taskId',
    UPLOAD,
    async (request: FastifyRequest<{ Params: { taskId: string } }>) => {
      handlerRuns += 1;
      const target = join(uploads, request.params.taskId);
      const received = await receiveToFile(request.body as Readable, target, { maxBytes: MAX_UPLOAD });
      return {
        sha256: received.sha256,
        size: received.size,
        lease: (request.query as { lease?: string }).lease,
      };
    },
  );
  // A careless handler that swallows stream errors: the layer must still refuse the body.
  app.put('/farm/v1/careless/:id', UPLOAD, async (request) => {
    try {
      for await (const _chunk of request.body as Readable) {
        // discarded
      }
    } catch {
      // ignored on purpose
    }
    return { stored: true };
  });
  app.post(
    '/farm/v1/notes',
    { config: { auth: 'farm' }, schema: { body: z.object({ note: z.string() }) } },
    (request) => {
      handlerRuns += 1;
      return { note: request.body.note };
    },
  );
  // Sent as it is, unchecked: what a careless or hostile peer would send, for the client to check.
  app.get(
    '/farm/v1/blobs/:sha256',
    { config: { auth: 'farm' } },
    (request: FastifyRequest<{ Params: { sha256: string } }>, reply) =>
      existsSync(join(served, request.params.sha256))
        ? reply.type('application/octet-stream').send(createReadStream(join(served, request.params.sha256)))
        : reply.code(404).send(errorBody('not-found', 'no such blob')),
  );
}

beforeAll(async () => {
  dir = await makeTempDir();
  const running = await startServer(routes, { key });
  url = running.url;
  server = running.peer;
  close = running.close;
  client = makeClient(key, { timeoutMs: 5_000 });
});
afterAll(async () => {
  client.close();
  await close();
  await removeDir(dir);
});
beforeEach(async () => {
  uploads = join(dir, `uploads-${handlerRuns}-${Date.now()}`);
  served = join(dir, `served-${handlerRuns}-${Date.now()}`);
  await mkdir(uploads, { recursive: true });
  await mkdir(served, { recursive: true });
});

async function fileWith(content: Buffer): Promise<{ path: string; sha256: string }> {
  const path = join(dir, `src-${sha256Hex(content).slice(0, 12)}`);
  await writeFile(path, content);
  return { path, sha256: sha256Hex(content) };
}

describe('streamed uploads', () => {
  it('stores a verified upload', async () => {
    const content = randomBytes(100_000);
    const { path, sha256 } = await fileWith(content);
    const reply = await client.upload(server, '/farm/v1/results/task1?lease=L7', path, {
      sha256,
      schema: z.object({ sha256: z.string(), size: z.number(), lease: z.string() }),
    });
    expect(reply).toEqual({ sha256, size: 100_000, lease: 'L7' });
    expect(await readFile(join(uploads, 'task1'))).toEqual(content);
    expect(await listFiles(uploads)).toEqual(['task1']);
  });

  it('refuses a body that does not match its signed sha256 and leaves no file', async () => {
    const { path } = await fileWith(randomBytes(50_000));
    const claimed = sha256Hex('something else');
    const error = await client
      .upload(server, '/farm/v1/results/task2', path, { sha256: claimed })
      .catch((e) => e);
    expect(error).toBeInstanceOf(FarmHttpError);
    expect(error).toMatchObject({ kind: 'rejected', status: 400, code: 'body-mismatch' });
    expect(await listFiles(uploads)).toEqual([]);
  });

  it('refuses a mismatched body even when the handler ignores the error', async () => {
    const { path } = await fileWith(randomBytes(1_000));
    const error = await client
      .upload(server, '/farm/v1/careless/c1', path, { sha256: sha256Hex('not it') })
      .catch((e) => e);
    expect(error).toMatchObject({ kind: 'rejected', status: 400, code: 'body-mismatch' });
  });

  it('refuses an upload declared larger than the route allows with 413', async () => {
    // Big enough that, without Expect: 100-continue, the refusal would race the upload (EPIPE).
    const { path, sha256 } = await fileWith(randomBytes(16 * MAX_UPLOAD));
    for (let attempt = 0; attempt < 3; attempt++) {
      const error = await client.upload(server, '/farm/v1/results/task3', path, { sha256 }).catch((e) => e);
      expect(error).toMatchObject({ kind: 'rejected', status: 413, code: 'too-large' });
    }
    expect(await listFiles(uploads)).toEqual([]);
    const stranger = makeClient(makeKey().key, { trustKey: key });
    const refused = await stranger.upload(server, '/farm/v1/results/task3', path, { sha256 }).catch((e) => e);
    stranger.close();
    expect(refused).toMatchObject({ kind: 'unauthorized', reason: 'not-admitted' });
  });

  it('cuts a chunked upload that grows past the limit with 413 and leaves no file', async () => {
    const chunks = Array.from({ length: 5 }, () => randomBytes(64 * 1024)).concat(randomBytes(10));
    const sha256 = sha256Hex(Buffer.concat(chunks));
    const path = '/farm/v1/results/task4';
    const headers = signRequest(identityFor(key), {
      method: 'PUT',
      pathWithQuery: path,
      contentType: 'application/octet-stream',
      to: server.id,
      bodySha256: sha256,
      now: Date.now(),
    });
    headers['content-type'] = 'application/octet-stream';
    const reply = await rawRequest(url, { method: 'PUT', path, headers, body: chunks }).catch(
      (e: Error) => e,
    );
    // The server answers 413 and closes; the client may see the answer or the closed connection.
    if (!(reply instanceof Error)) expect(reply.status).toBe(413);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await listFiles(uploads)).toEqual([]);
  });

  it('refuses an unsigned upload before the handler runs', async () => {
    const before = handlerRuns;
    const reply = await rawRequest(url, { method: 'PUT', path: '/farm/v1/results/task5', body: 'data' });
    expect(reply.status).toBe(401);
    expect(handlerRuns).toBe(before);
    expect(await listFiles(uploads)).toEqual([]);
  });
});

describe('bodies of the wrong kind, and bodies that stall', () => {
  /** A signed request whose body is sent as `contentType`. */
  const signedWith = (method: string, path: string, contentType: string, body: string) => {
    const headers = signRequest(identityFor(key), {
      method,
      pathWithQuery: path,
      contentType,
      to: server.id,
      body,
      now: Date.now(),
    });
    headers['content-type'] = contentType;
    return rawRequest(url, { method, path, headers, body });
  };

  it('an upload route takes octets only, and a JSON route no octets: 415 before the handler runs', async () => {
    // Found by attacking a node: JSON reached an upload's handler (a 500 with a TypeError), octets
    // reached a JSON route (its schema's error listed the upload stream's internals).
    const before = handlerRuns;
    const json = await signedWith('PUT', '/farm/v1/results/task6', 'application/json', '{"note":"x"}');
    expect(json.status).toBe(415);
    expect(json.json).toMatchObject({ error: { code: 'unsupported-media-type' } });
    const octets = await signedWith('POST', '/farm/v1/notes', 'application/octet-stream', '{"note":"x"}');
    expect(octets.status).toBe(415);
    expect(octets.text).not.toContain('_readableState');
    expect(handlerRuns).toBe(before);
    expect(await listFiles(uploads)).toEqual([]);
    // The right kinds still pass.
    expect((await signedWith('POST', '/farm/v1/notes', 'application/json', '{"note":"x"}')).json).toEqual({
      note: 'x',
    });
  });

  it('drops a connection whose body stops part-way once it has been idle for the idle timeout', async () => {
    const idle = await startServer(routes, { key, idleTimeoutMs: 400 });
    try {
      const { hostname, port } = new URL(idle.url);
      // Signed for 100 bytes of body, of which 9 come: the server waits for the rest until it gives up.
      const body = JSON.stringify({ note: 'x'.repeat(89) });
      const signed = signRequest(identityFor(key), {
        method: 'POST',
        pathWithQuery: '/farm/v1/notes',
        contentType: 'application/json',
        to: idle.id,
        body,
        now: Date.now(),
      });
      const head = Object.entries({ ...signed, 'content-type': 'application/json', 'content-length': '100' })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      const socket = connect({ host: hostname, port: Number(port) });
      socket.on('error', () => undefined);
      socket.resume();
      const opened = Date.now();
      socket.write(`POST /farm/v1/notes HTTP/1.1\r\nhost: x\r\n${head}\r\n${body.slice(0, 9)}`);
      const lifetime = await new Promise<number>((resolve) => {
        const cap = setTimeout(() => resolve(Number.POSITIVE_INFINITY), 5_000);
        socket.on('close', () => {
          clearTimeout(cap);
          resolve(Date.now() - opened);
        });
      });
      socket.destroy();
      expect(lifetime).toBeGreaterThanOrEqual(300);
      expect(lifetime).toBeLessThan(3_000);
    } finally {
      await idle.close();
    }
  });
});

describe('verified downloads', () => {
  it('downloads a blob and checks it', async () => {
    const content = randomBytes(300_000);
    const sha256 = sha256Hex(content);
    await writeFile(join(served, sha256), content);
    const dest = join(dir, 'got', 'blob.bin');
    const got = await client.download(server, `/farm/v1/blobs/${sha256}`, dest, {
      expectSha256: sha256,
      maxBytes: 1e6,
    });
    expect(got).toEqual({ path: dest, sha256, size: 300_000 });
    expect(await readFile(dest)).toEqual(content);
  });

  it('refuses a download whose content is not what was asked for, and keeps nothing', async () => {
    const sha256 = sha256Hex('expected');
    await writeFile(join(served, sha256), 'corrupted');
    const destDir = join(dir, 'corrupt');
    const error = await client
      .download(server, `/farm/v1/blobs/${sha256}`, join(destDir, 'x'), {
        expectSha256: sha256,
        maxBytes: 1e6,
      })
      .catch((e) => e);
    expect(error).toMatchObject({ kind: 'bad-response' });
    expect(await listFiles(destDir)).toEqual([]);
  });

  it('refuses a download larger than allowed, and maps a 404 to rejected', async () => {
    const content = randomBytes(2_000);
    const sha256 = sha256Hex(content);
    await writeFile(join(served, sha256), content);
    const destDir = join(dir, 'big');
    const tooBig = await client
      .download(server, `/farm/v1/blobs/${sha256}`, join(destDir, 'x'), {
        expectSha256: sha256,
        maxBytes: 1_000,
      })
      .catch((e) => e);
    expect(tooBig).toMatchObject({ kind: 'bad-response' });
    const missing = sha256Hex('missing');
    const absent = await client
      .download(server, `/farm/v1/blobs/${missing}`, join(destDir, 'y'), {
        expectSha256: missing,
        maxBytes: 1e6,
      })
      .catch((e) => e);
    expect(absent).toMatchObject({ kind: 'rejected', status: 404, code: 'not-found' });
    expect(await listFiles(destDir).catch(() => [])).toEqual([]);
  });
});

describe('receiveToFile', () => {
  it('renames into place only when size and checksum match', async () => {
    const target = join(dir, 'recv', 'ok');
    const result = await receiveToFile(Readable.from([Buffer.from('abc')]), target, {
      maxBytes: 10,
      expectSha256: sha256Hex('abc'),
    });
    expect(result.size).toBe(3);
    expect(await readFile(target, 'utf8')).toBe('abc');
  });

  it('throws and leaves nothing for a mismatch or an oversized stream', async () => {
    const recv = join(dir, 'recv-bad');
    const mismatch = receiveToFile(Readable.from([Buffer.from('abc')]), join(recv, 'a'), {
      maxBytes: 10,
      expectSha256: sha256Hex('abd'),
    });
    await expect(mismatch).rejects.toBeInstanceOf(BodyMismatchError);
    const oversized = receiveToFile(Readable.from([Buffer.alloc(8), Buffer.alloc(8)]), join(recv, 'b'), {
      maxBytes: 10,
    });
    await expect(oversized).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(await listFiles(recv)).toEqual([]);
  });
});

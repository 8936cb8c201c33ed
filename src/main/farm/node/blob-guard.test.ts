/**
 * The origin's blob route over real HTTP (a real farm server and signed client): what it sends is
 * hashed as it streams, a rotten blob is withheld at once and repaired, and one that cannot be made
 * again fails the encodes that need it. The repair itself is the engine's (blob-repair.test.ts); here
 * a stand-in puts the good bytes back when the test lets it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyRequest } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotByte } from '../../../../test/support/bit-rot.ts';
import { migrateDatabase } from '../../db/open.ts';
import { StepError } from '../../engine/errors.ts';
import { tinyPlan } from '../../ffmpeg/test-fixtures.ts';
import { sha256Hex } from '../../util/hash.ts';
import { type FarmClient, FarmHttpError, type Peer } from '../net/index.ts';
import {
  captureLogs,
  makeClient,
  makeKey,
  makeTempDir,
  type RunningServer,
  removeDir,
  signedRawRequest,
  startServer,
} from '../net/net.fixture.ts';
import { BlobGuard, type BlobGuardDeps, failTasksNeeding } from './blob-guard.ts';
import { Origin } from './origin.ts';
import { sendBlob } from './routes/origin-routes.ts';

let dir: string;
let server: RunningServer | undefined;
let client: FarmClient | undefined;
let logs: ReturnType<typeof captureLogs>;
const { key } = makeKey();

beforeEach(async () => {
  dir = await makeTempDir('vfo-blob-guard-');
  logs = captureLogs();
});
afterEach(async () => {
  logs.stop();
  client?.close();
  await server?.close();
  await removeDir(dir);
});

/** A 3 MiB blob (several read chunks) in a store folder, and the guard serving that folder. */
async function serveStore(deps: Omit<BlobGuardDeps, 'pathFor'>) {
  const store = join(dir, 'store');
  await mkdir(store, { recursive: true });
  const content = randomBytes(3 * 1024 * 1024);
  const sha256 = sha256Hex(content);
  const path = join(store, sha256);
  await writeFile(path, content);
  const guard = new BlobGuard({ ...deps, pathFor: (sha) => join(store, sha) });
  server = await startServer(
    (app) => {
      app.get(
        '/farm/v1/blobs/:sha256',
        { config: { auth: 'farm' } },
        async (request: FastifyRequest<{ Params: { sha256: string } }>, reply) =>
          sendBlob(reply, await guard.serve(request.params.sha256)),
      );
    },
    { key },
  );
  client = makeClient(key, { timeoutMs: 5000 });
  const peer = server.peer;
  const signed = client;
  let downloads = 0;
  const download = () => {
    const dest = join(dir, 'downloads', `${++downloads}`);
    return signed
      .download(peer, `/farm/v1/blobs/${sha256}`, dest, { expectSha256: sha256, maxBytes: content.length })
      .then(() => ({ dest, error: null }))
      .catch((error: unknown) => ({ dest, error: error as FarmHttpError }));
  };
  const get = () =>
    signedRawRequest(peer, key, { method: 'GET', path: `/farm/v1/blobs/${sha256}`, now: Date.now() });
  return { guard, content, sha256, path, download, get };
}

function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const messages = () => logs.records.map((r) => `${r.logger}: ${r.message}`);

describe('the origin serving its blobs', () => {
  it('serves a blob that matches its name, and starts no repair', async () => {
    let repairs = 0;
    const blob = await serveStore({
      repair: async () => {
        repairs += 1;
        return { ok: true, by: null };
      },
      lost: () => undefined,
    });
    const first = await blob.download();
    expect(first.error).toBeNull();
    expect(await readFile(first.dest)).toEqual(blob.content);
    expect(repairs).toBe(0);
  });

  it('cuts the transfer of a rotten blob, withholds it at once from every request, and serves it again once repaired', async () => {
    const repaired = gate();
    let repairs = 0;
    const blob = await serveStore({
      async repair(sha256) {
        repairs += 1;
        await repaired.opened;
        const temp = join(dir, 'remade');
        await writeFile(temp, blob.content);
        await rename(temp, join(dir, 'store', sha256));
        return { ok: true, by: { jobId: 'job-1', stepKey: 'captions' } };
      },
      lost: () => {
        throw new Error('must not be lost');
      },
    });
    await rotByte(blob.path);

    // Three at once: each is cut short or refused; none gets a file; one repair starts.
    const first = await Promise.all([blob.download(), blob.download(), blob.download()]);
    for (const attempt of first) {
      expect(attempt.error).toBeInstanceOf(FarmHttpError);
      expect(existsSync(attempt.dest)).toBe(false);
    }
    // The transfer that found the damage was cut before its end (a connection error), not delivered
    // whole and refused by the client's own checksum (a bad response).
    expect(first.some((a) => a.error?.kind === 'unreachable')).toBe(true);
    expect(first.some((a) => a.error?.kind === 'bad-response')).toBe(false);
    expect(repairs).toBe(1);

    const during = await blob.get();
    expect(during.status).toBe(410);
    expect(during.json).toMatchObject({ error: { code: 'blob-repairing' } });

    repaired.open();
    await blob.guard.settled();
    const after = await blob.download();
    expect(after.error).toBeNull();
    expect(await readFile(after.dest)).toEqual(blob.content);
    expect(repairs).toBe(1);
    expect(messages()).toContain(
      'BlobGuard: a blob did not match its checksum as it was served; withheld until it is repaired',
    );
    const done = logs.records.find((r) => r.message === 'blob repaired');
    expect(done?.fields).toEqual({ sha256: blob.sha256, job: 'job-1', step: 'captions' });
  });

  it('keeps a blob that cannot be made again withheld with the reason, tells who needs it, and serves it once rewritten', async () => {
    const lost: { sha256: string; reason: string }[] = [];
    const reason = 'step "plan" of job j made different content when run again';
    const blob = await serveStore({
      repair: async () => ({ ok: false, reason }),
      lost: (sha256, why) => {
        lost.push({ sha256, reason: why });
      },
    });
    await rotByte(blob.path);
    expect((await blob.download()).error).toBeInstanceOf(FarmHttpError);
    await blob.guard.settled();

    const refused = await blob.get();
    expect(refused.status).toBe(410);
    expect(refused.json).toEqual({ error: { code: 'blob-lost', message: reason } });
    expect(lost).toEqual([{ sha256: blob.sha256, reason }]);
    expect(messages()).toContain('BlobGuard: blob could not be repaired; it stays withheld');

    // Written anew (a re-run of the job): served, and checked, again.
    await writeFile(blob.path, blob.content);
    const after = await blob.download();
    expect(after.error).toBeNull();
    expect(await readFile(after.dest)).toEqual(blob.content);
  });
  it('withholds a blob found empty (nothing streams through the hash then)', async () => {
    let repairs = 0;
    const blob = await serveStore({
      repair: async () => {
        repairs += 1;
        return { ok: false, reason: 'nothing made it' };
      },
      lost: () => undefined,
    });
    await writeFile(blob.path, '');
    expect((await blob.download()).error).toBeInstanceOf(FarmHttpError);
    await blob.guard.settled();
    expect(repairs).toBe(1);
    expect((await blob.get()).status).toBe(410);
  });
});

describe('encodes waiting for a lost blob', () => {
  it('fail for good with the reason and leave the farm; the others keep waiting', async () => {
    const calls: string[] = [];
    const origin = new Origin({
      sqlite: migrateDatabase(new Database(':memory:')).$client,
      dataDir: dir,
      nodeId: 'origin',
      selfUrl: () => 'http://127.0.0.1:1',
      client: {
        async json<T>(_peer: Peer, method: string, path: string): Promise<T> {
          calls.push(`${method} ${path}`);
          return { status: 'queued' } as T;
        },
      },
      coordinator: () => ({ url: 'http://127.0.0.1:2', id: 'coordinator' }),
      ffmpeg: () => Promise.reject(new Error('no encode here')),
      blobPath: (sha) => join(dir, sha),
    });
    const lostSha = 'c'.repeat(64);
    const planUsing = (sha: string) =>
      tinyPlan({
        assets: {
          img: { sha256: sha, size: 1, kind: 'image', name: 'img.png' },
          narration: { sha256: 'd'.repeat(64), size: 1, kind: 'audio', name: 'n.wav' },
        },
      });
    const signal = new AbortController().signal;
    const [needing, other] = ['1', '2'].map((n) => n.repeat(64));
    const waiting = origin.awaitTask({
      taskId: needing as string,
      jobId: 'j1',
      plan: planUsing(lostSha),
      signal,
    });
    const unaffected = origin.awaitTask({
      taskId: other as string,
      jobId: 'j2',
      plan: planUsing('e'.repeat(64)),
      signal,
    });
    unaffected.catch(() => undefined);

    await failTasksNeeding(origin, lostSha, 'the source picture changed');
    const failure = await waiting.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StepError);
    expect((failure as StepError).kind).toBe('fatal');
    expect((failure as StepError).message).toBe(
      `the farm could not encode this video: its input ${lostSha} is damaged on this node and could not be made again: the source picture changed`,
    );
    expect(calls).toContain(`POST /farm/v1/tasks/${needing}/withdraw`);
    expect(origin.isAwaiting(needing as string)).toBe(false);
    expect(origin.isAwaiting(other as string)).toBe(true);
    expect(calls).not.toContain(`POST /farm/v1/tasks/${other}/withdraw`);
  });
});

/**
 * A result upload is read before the coordinator says whether its sender holds the lease, so its size
 * is bounded by the plan: a body declared larger is refused before a byte of it is written.
 */
import { open, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RenderPlan } from '../../../../shared/render-plan.ts';
import { tinyPlan } from '../../../ffmpeg/test-fixtures.ts';
import { freeBytesAt } from '../../../util/disk-room.ts';
import { sha256File } from '../../../util/hash.ts';
import { makeClient, makeKey, makeTempDir, type RunningServer, startServer } from '../../net/net.fixture.ts';
import { maxResultBytes, originRoutes } from './origin-routes.ts';

const { key } = makeKey();
const TASK = 'a'.repeat(64);
const LEASE = 'b'.repeat(32);
let dir: string;
let server: RunningServer;
const acceptUpload = vi.fn(async () => true);
/** The free disk the node keeps: none, but for the test of a nearly full disk. */
let keepFree = 0;

/** One second of 320x180 at 25 fps: a result of it is at most 12.5 MB of video and 64 MB besides. */
const plan: RenderPlan = tinyPlan({
  durationMs: 1000,
  scenes: [{ startMs: 0, durationMs: 1000, visual: { kind: 'color', color: '#102030' } }],
});

beforeAll(async () => {
  dir = await makeTempDir('vfo-results-');
  server = await startServer(
    (app) =>
      originRoutes(app, {
        origin: {
          planOf: () => plan,
          isAwaiting: () => true,
          acceptUpload,
          resultsDir: () => join(dir, 'results'),
          failTask: () => false,
        },
        blobs: { serve: async () => ({ refused: 404, code: 'not-found', message: 'none' }) },
        importScript: async () => ({ ok: false, message: 'none' }),
        jobView: () => undefined,
        checkScript: async () => {
          throw new Error('not used');
        },
        media: { wanted: async () => [], receive: async () => undefined },
        followedCoordinator: () => null,
        keepFreeBytes: () => keepFree,
      }),
    { key },
  );
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a result upload', () => {
  it('is bounded by its plan: its frames at 100 Mbit/s, or twice its preset’s bitrate, and 64 MB', () => {
    expect(maxResultBytes(plan)).toBe(12_500_000 + 64 * 1024 ** 2);
    const fast = { ...plan, output: { ...plan.output, bitrate: '300M' } };
    expect(maxResultBytes(fast)).toBe(75_000_000 + 64 * 1024 ** 2);
    const half = { ...plan, segment: { index: 1, count: 2, startFrame: 13, frameCount: 12 } };
    expect(maxResultBytes(half)).toBe(6_000_000 + 64 * 1024 ** 2);
  });

  it('declared larger than that is refused (413) before anything is written or checked', async () => {
    const big = join(dir, 'big.mp4');
    // Sparse: 80 MB on the wire, nothing on disk.
    const handle = await open(big, 'w');
    await handle.truncate(80 * 1024 ** 2);
    await handle.close();
    const { sha256 } = await sha256File(big);
    const client = makeClient(key);
    try {
      const refused = await client
        .upload(server.peer, `/farm/v1/results/${TASK}?lease=${LEASE}&encoder=libx264`, big, { sha256 })
        .then(
          () => null,
          (error: unknown) => error as Error,
        );
      expect(refused?.message).toMatch(/413/);
      expect(refused?.message).toContain('at most 79608864 bytes');
    } finally {
      client.close();
    }
    expect(acceptUpload).not.toHaveBeenCalled();
    expect(await readdir(join(dir, 'results')).catch(() => [])).toEqual([]);
  });
});

describe('a result upload on a nearly full disk', () => {
  it('is refused (507) before a byte is written, saying why', async () => {
    const small = join(dir, 'small.mp4');
    await writeFile(small, Buffer.alloc(64 * 1024, 1));
    const { sha256 } = await sha256File(small);
    keepFree = (await freeBytesAt(dir)) + 1024 ** 4;
    const client = makeClient(key);
    try {
      const refused = await client
        .upload(server.peer, `/farm/v1/results/${TASK}?lease=${LEASE}&encoder=libx264`, small, { sha256 })
        .then(
          () => null,
          (error: unknown) => error as Error,
        );
      expect(refused?.message).toMatch(/507/);
      expect(refused?.message).toContain('disk is nearly full');
    } finally {
      keepFree = 0;
      client.close();
    }
    expect(acceptUpload).not.toHaveBeenCalled();
    expect(await readdir(join(dir, 'results')).catch(() => [])).toEqual([]);
  });
});

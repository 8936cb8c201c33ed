import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotByte } from '../../../../test/support/bit-rot.ts';
import { sendCheckedFile } from '../../http/index.ts';
import { sha256File, sha256Hex } from '../../util/hash.ts';
import { BlobVerificationError, createBlobCache } from './blob-cache.ts';
import { listFiles, makeClient, makeKey, makeTempDir, removeDir, startServer } from './net.fixture.ts';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

/** Ten-byte blobs with distinct content. */
function blob(label: string): { content: string; sha256: string } {
  const content = label.padEnd(10, '.').slice(0, 10);
  return { content, sha256: sha256Hex(content) };
}

const writer = (content: string) => (dest: string) => writeFile(dest, content);

describe('blob cache', () => {
  it('fetches a blob once for concurrent callers and keeps it', async () => {
    const cache = createBlobCache({ dir, maxBytes: 100 });
    const a = blob('a');
    let fetches = 0;
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const fetcher = async (dest: string) => {
      fetches += 1;
      await gate;
      await writeFile(dest, a.content);
    };
    const first = cache.ensure(a.sha256, 10, fetcher);
    const second = cache.ensure(a.sha256, 10, fetcher);
    await new Promise((resolve) => setTimeout(resolve, 20));
    finish();
    const [one, two] = await Promise.all([first, second]);
    expect(fetches).toBe(1);
    expect(one.path).toBe(cache.pathOf(a.sha256));
    expect(await readFile(two.path, 'utf8')).toBe(a.content);
    const third = await cache.ensure(a.sha256, 10, fetcher);
    expect(fetches).toBe(1);
    for (const lease of [one, two, third]) lease.release();
    expect(await cache.has(a.sha256)).toBe(true);
  });

  it('refuses a fetched blob with the wrong content or size, keeps nothing, and can retry', async () => {
    const cache = createBlobCache({ dir, maxBytes: 100 });
    const a = blob('a');
    await expect(cache.ensure(a.sha256, 10, writer('wrong.....'))).rejects.toBeInstanceOf(
      BlobVerificationError,
    );
    await expect(cache.ensure(a.sha256, 9, writer(a.content))).rejects.toBeInstanceOf(BlobVerificationError);
    expect(await cache.has(a.sha256)).toBe(false);
    expect(await listFiles(dir)).toEqual([]);
    const lease = await cache.ensure(a.sha256, 10, writer(a.content));
    expect(await readFile(lease.path, 'utf8')).toBe(a.content);
    lease.release();
  });

  it('evicts the least recently used blobs when over its cap', async () => {
    const cache = createBlobCache({ dir, maxBytes: 30 });
    const [a, b, c, d] = [blob('a'), blob('b'), blob('c'), blob('d')];
    for (const x of [a, b, c]) (await cache.ensure(x.sha256, 10, writer(x.content))).release();
    (await cache.acquire(a.sha256))?.release(); // a is now more recent than b
    (await cache.ensure(d.sha256, 10, writer(d.content))).release();
    expect(await cache.has(b.sha256)).toBe(false);
    for (const x of [a, c, d]) expect(await cache.has(x.sha256)).toBe(true);
    expect(await cache.usedBytes()).toBe(30);
    expect((await listFiles(dir)).length).toBe(3);
  });

  it('never evicts a blob in use', async () => {
    const cache = createBlobCache({ dir, maxBytes: 20 });
    const [a, b, c] = [blob('a'), blob('b'), blob('c')];
    const held = await cache.ensure(a.sha256, 10, writer(a.content));
    (await cache.ensure(b.sha256, 10, writer(b.content))).release();
    (await cache.ensure(c.sha256, 10, writer(c.content))).release();
    expect(await cache.has(a.sha256)).toBe(true);
    expect(await readFile(held.path, 'utf8')).toBe(a.content);
    expect(await cache.has(b.sha256)).toBe(false);
    held.release();
    held.release(); // idempotent
  });

  it('validates the sha256 before it reaches a path', async () => {
    const cache = createBlobCache({ dir, maxBytes: 100 });
    let called = false;
    expect(() => cache.pathOf('../../etc/passwd')).toThrow(/not a sha256/);
    await expect(
      cache.ensure('../'.repeat(20).padEnd(64, 'a'), 1, async () => {
        called = true;
      }),
    ).rejects.toThrow(/not a sha256/);
    await expect(cache.acquire('ABC')).rejects.toThrow(/not a sha256/);
    expect(called).toBe(false);
    expect(await cache.usedBytes()).toBe(0);
  });

  it('fetches again a blob whose file was deleted behind its back', async () => {
    const cache = createBlobCache({ dir, maxBytes: 100 });
    const a = blob('a');
    (await cache.ensure(a.sha256, 10, writer(a.content))).release();
    await rm(cache.pathOf(a.sha256));
    let fetched = 0;
    const lease = await cache.ensure(a.sha256, 10, async (dest) => {
      fetched += 1;
      await writeFile(dest, a.content);
    });
    expect(fetched).toBe(1);
    expect(await readFile(lease.path, 'utf8')).toBe(a.content);
    lease.release();
  });

  it('finds its blobs again after a restart and removes interrupted fetches', async () => {
    const a = blob('a');
    const first = createBlobCache({ dir, maxBytes: 100 });
    (await first.ensure(a.sha256, 10, writer(a.content))).release();
    const shard = join(dir, a.sha256.slice(0, 2));
    await mkdir(shard, { recursive: true });
    await writeFile(join(shard, `${a.sha256}.partial-1-abcd`), 'half');
    const second = createBlobCache({ dir, maxBytes: 100 });
    expect(await second.has(a.sha256)).toBe(true);
    expect(await second.usedBytes()).toBe(10);
    expect(await listFiles(dir)).toEqual([join(a.sha256.slice(0, 2), a.sha256)]);
  });

  it('fills itself from a peer through the farm client', async () => {
    const { key } = makeKey();
    const a = blob('from-peer');
    const served = join(dir, 'served');
    await mkdir(served);
    await writeFile(join(served, a.sha256), a.content);
    const peer = await startServer(
      (app) => {
        app.get(
          '/farm/v1/blobs/:sha256',
          { config: { auth: 'farm' } },
          (request: FastifyRequest<{ Params: { sha256: string } }>, reply) => {
            const { sha256 } = request.params;
            return sendCheckedFile(reply, join(served, sha256), { sha256, onMismatch: () => undefined });
          },
        );
      },
      { key },
    );
    const client = makeClient(key);
    try {
      const cache = createBlobCache({ dir: join(dir, 'cache'), maxBytes: 1000 });
      const lease = await cache.ensure(a.sha256, 10, (dest) =>
        client.download(peer.peer, `/farm/v1/blobs/${a.sha256}`, dest, {
          expectSha256: a.sha256,
          maxBytes: 10,
        }),
      );
      expect(await readFile(lease.path, 'utf8')).toBe(a.content);
      lease.release();
    } finally {
      client.close();
      await peer.close();
    }
  });
});

/** A hasher that counts the files it reads: a verification is a hash call. */
function countingHash() {
  const calls: string[] = [];
  const hash = (path: string) => {
    calls.push(path);
    return sha256File(path);
  };
  return { calls, hash };
}

describe('blob cache verification', () => {
  it('after a restart, finds a blob corrupted on disk on its first use, evicts it and fetches it again', async () => {
    const a = blob('a');
    const first = createBlobCache({ dir, maxBytes: 100 });
    (await first.ensure(a.sha256, 10, writer(a.content))).release();
    await rotByte(first.pathOf(a.sha256), 4);
    expect((await stat(first.pathOf(a.sha256))).size).toBe(10);

    const restarted = createBlobCache({ dir, maxBytes: 100 });
    let fetched = 0;
    const lease = await restarted.ensure(a.sha256, 10, async (dest) => {
      fetched += 1;
      await writeFile(dest, a.content);
    });
    expect(fetched).toBe(1);
    expect(await readFile(lease.path, 'utf8')).toBe(a.content);
    lease.release();
    // acquire() alone (no fetcher) refuses a corrupted blob too: it is not cached any more.
    await rotByte(restarted.pathOf(a.sha256), 0);
    const again = createBlobCache({ dir, maxBytes: 100 });
    expect(await again.acquire(a.sha256)).toBeNull();
    expect(await again.has(a.sha256)).toBe(false);
    expect(await listFiles(dir)).toEqual([]);
  });

  it('hashes a blob once after a restart and then trusts it while its stat is unchanged', async () => {
    const a = blob('a');
    const seed = createBlobCache({ dir, maxBytes: 100 });
    (await seed.ensure(a.sha256, 10, writer(a.content))).release();

    const { calls, hash } = countingHash();
    const cache = createBlobCache({ dir, maxBytes: 100, hash });
    const fail = async () => {
      throw new Error('must not fetch');
    };
    for (let use = 0; use < 3; use++) (await cache.ensure(a.sha256, 10, fail)).release();
    (await cache.acquire(a.sha256))?.release();
    expect(calls).toEqual([cache.pathOf(a.sha256)]);
  });

  it('trusts a blob it fetched itself without hashing it again', async () => {
    const a = blob('a');
    const { calls, hash } = countingHash();
    const cache = createBlobCache({ dir, maxBytes: 100, hash });
    (await cache.ensure(a.sha256, 10, writer(a.content))).release();
    expect(calls).toHaveLength(1); // the download's own check
    for (let use = 0; use < 3; use++) (await cache.acquire(a.sha256))?.release();
    expect(calls).toHaveLength(1);
  });

  it('hashes a blob again once its mtime or size changed, and replaces it if the content changed', async () => {
    const a = blob('a');
    const { calls, hash } = countingHash();
    const cache = createBlobCache({ dir, maxBytes: 100, hash });
    (await cache.ensure(a.sha256, 10, writer(a.content))).release();
    const path = cache.pathOf(a.sha256);
    expect(calls).toHaveLength(1);

    // Same content, new mtime: hashed once more, still good, nothing fetched.
    await utimes(path, new Date('2001-01-01'), new Date('2001-01-01'));
    const fail = async () => {
      throw new Error('must not fetch');
    };
    (await cache.ensure(a.sha256, 10, fail)).release();
    expect(calls).toHaveLength(2);
    (await cache.ensure(a.sha256, 10, fail)).release();
    expect(calls).toHaveLength(2);

    // Other content of the same size (the write changes the mtime): found, evicted, fetched again.
    await writeFile(path, 'corrupted!');
    let fetched = 0;
    const lease = await cache.ensure(a.sha256, 10, async (dest) => {
      fetched += 1;
      await writeFile(dest, a.content);
    });
    expect(fetched).toBe(1);
    expect(await readFile(lease.path, 'utf8')).toBe(a.content);
    lease.release();

    // Grown: hashed again and refused.
    await writeFile(path, `${a.content}+`);
    expect(await cache.acquire(a.sha256)).toBeNull();
  });

  it('recheck() hashes a blob whose stat did not change, and evicts it when it rotted', async () => {
    const a = blob('a');
    const { calls, hash } = countingHash();
    const cache = createBlobCache({ dir, maxBytes: 100, hash });
    const held = await cache.ensure(a.sha256, 10, writer(a.content));
    expect(await cache.recheck(a.sha256)).toBe(true);
    expect(calls).toHaveLength(2);
    await rotByte(held.path, 9);
    // The stat is as it was: an ordinary use trusts it...
    const trusted = await cache.acquire(a.sha256);
    expect(trusted).not.toBeNull();
    trusted?.release();
    expect(calls).toHaveLength(2);
    // ...a recheck does not.
    expect(await cache.recheck(a.sha256)).toBe(false);
    expect(await cache.has(a.sha256)).toBe(false);
    held.release();
    const fresh = await cache.ensure(a.sha256, 10, writer(a.content));
    expect(await readFile(fresh.path, 'utf8')).toBe(a.content);
    fresh.release();
    expect(await cache.recheck(blob('never cached').sha256)).toBe(false);
  });
});

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskFullError, freeBytesAt } from '../util/disk-room.ts';
import { receiveToFile } from './receive-file.ts';
import { ROOM_CHECK_BYTES } from './room-guard.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-receive-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

/** `total` bytes in 1 MiB chunks, counting what was read from it. */
function counted(total: number): { stream: Readable; read(): number } {
  const chunk = Buffer.alloc(1024 * 1024, 7);
  let sent = 0;
  const stream = Readable.from(
    (function* () {
      while (sent < total) {
        sent += chunk.length;
        yield chunk;
      }
    })(),
  );
  return { stream, read: () => sent };
}

describe('receiveToFile and the free disk it keeps', () => {
  it('refuses before reading a byte when the disk already has less free than it keeps', async () => {
    const body = counted(8 * 1024 * 1024);
    const keep = (await freeBytesAt(dir)) + 1024 ** 4;
    const refused = receiveToFile(body.stream, join(dir, 'file'), {
      maxBytes: 1024 ** 3,
      keepFreeBytes: keep,
    });
    await expect(refused).rejects.toBeInstanceOf(DiskFullError);
    await expect(refused).rejects.toThrow(/disk is nearly full/);
    expect(body.read()).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('stops a body that fills the disk past it while landing, and leaves no partial file', async () => {
    // The floor lies 16 MiB below what is free now: the first check (at 32 MiB) finds it crossed.
    const total = 8 * ROOM_CHECK_BYTES;
    const body = counted(total);
    const keep = (await freeBytesAt(dir)) - 16 * 1024 * 1024;
    const refused = receiveToFile(body.stream, join(dir, 'file'), {
      maxBytes: 1024 ** 3,
      keepFreeBytes: keep,
    });
    await expect(refused).rejects.toBeInstanceOf(DiskFullError);
    expect(body.read()).toBeGreaterThanOrEqual(ROOM_CHECK_BYTES);
    expect(body.read()).toBeLessThan(total);
    expect(await readdir(dir)).toEqual([]);
  });

  it('lands a body that leaves the disk above it', async () => {
    const body = counted(ROOM_CHECK_BYTES + 1024 * 1024);
    const landed = await receiveToFile(body.stream, join(dir, 'file'), {
      maxBytes: 1024 ** 3,
      keepFreeBytes: 0,
    });
    expect(landed.size).toBe(ROOM_CHECK_BYTES + 1024 * 1024);
    expect(await readdir(dir)).toEqual(['file']);
  });
});

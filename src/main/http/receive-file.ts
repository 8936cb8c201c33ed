/**
 * Stores a stream from the network as a file only if it is complete and correct: written to a
 * partial temp name, counted and hashed on the way, renamed into place only when size and sha256
 * match. A failure at any point leaves no file at `finalPath` and no temp file behind.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { partialPathFor } from '../util/atomic-file.ts';
import { checkRoom } from '../util/disk-room.ts';
import { isSha256 } from '../util/hash.ts';
import { BodyGuard } from './body-guard.ts';
import { RoomGuard } from './room-guard.ts';

export interface ReceiveToFileOptions {
  /** Past this many bytes the transfer is aborted with BodyTooLargeError. */
  maxBytes: number;
  /** When given, a different content is refused with BodyMismatchError. */
  expectSha256?: string;
  expectSize?: number;
  /** Refused (DiskFullError) before and while it lands once less than this would be left free. */
  keepFreeBytes?: number;
}

export interface ReceivedFile {
  path: string;
  sha256: string;
  size: number;
}

export async function receiveToFile(
  stream: Readable,
  finalPath: string,
  options: ReceiveToFileOptions,
): Promise<ReceivedFile> {
  if (options.expectSha256 !== undefined && !isSha256(options.expectSha256)) {
    throw new Error('expectSha256 must be 64 lower-case hex digits');
  }
  const dir = dirname(finalPath);
  await mkdir(dir, { recursive: true });
  const { keepFreeBytes } = options;
  if (keepFreeBytes !== undefined) await checkRoom(dir, keepFreeBytes);
  const temp = partialPathFor(finalPath);
  const guard = new BodyGuard(options);
  const room = keepFreeBytes !== undefined ? [new RoomGuard(dir, keepFreeBytes)] : [];
  try {
    await pipeline(stream, guard, ...room, createWriteStream(temp, { flags: 'wx' }));
    const sha256 = guard.sha256;
    // The guard already refused a mismatch; this is the belt to its braces before the rename.
    if (sha256 === null || (options.expectSha256 !== undefined && sha256 !== options.expectSha256)) {
      throw new Error('received file failed verification');
    }
    await rename(temp, finalPath);
    return { path: finalPath, sha256, size: guard.size };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Media that travel with a script arrive one file at a time, by sha256, before the script does: each
 * into the blob store (content-addressed: a file two scripts share is sent and kept once), checked
 * against its sha256 as it streams, within the per-file size budget. A sender first asks which files
 * the node lacks and sends only those.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { MEDIA_LIMITS } from '../../shared/contract.ts';
import { receiveToFile } from '../http/receive-file.ts';
import { createLogger } from '../log/logger.ts';
import { DATA_FOLDERS } from '../paths.ts';
import { isSha256 } from '../util/hash.ts';

const log = createLogger('MediaUpload');

/** The part of the blob store media uploads use. */
export interface MediaBlobs {
  pathFor(sha256: string): string;
  /** Moves a finished file into the store (the source is consumed). */
  put(sourcePath: string): Promise<{ sha256: string; size: number }>;
  /** True when the stored file has this checksum (remembered after the first hash). */
  verify(path: string, sha256: string): Promise<boolean>;
}

/** The files (by sha256) this node has no copy of: a sender sends only these. */
export async function wantedMedia(blobs: MediaBlobs, sha256s: readonly string[]): Promise<string[]> {
  const wanted: string[] = [];
  for (const sha256 of new Set(sha256s)) {
    if (!isSha256(sha256)) continue;
    const info = await stat(blobs.pathFor(sha256)).catch(() => null);
    if (!info?.isFile()) wanted.push(sha256);
  }
  return wanted;
}

/**
 * Stores one uploaded file under its sha256. The body is refused (and nothing kept) past the size
 * budget, when its bytes are not that sha256, or once less than `keepFreeBytes` of disk would be left.
 */
export async function receiveMedia(
  blobs: MediaBlobs,
  dataDir: string,
  body: Readable,
  sha256: string,
  keepFreeBytes?: number,
): Promise<{ sha256: string; size: number }> {
  // Its own name: two senders of one file at once each land theirs; the store keeps one.
  const landed = await receiveToFile(body, join(dataDir, DATA_FOLDERS.uploads, `${sha256}-${randomUUID()}`), {
    maxBytes: MEDIA_LIMITS.maxBytes,
    expectSha256: sha256,
    ...(keepFreeBytes !== undefined ? { keepFreeBytes } : {}),
  });
  const stored = await blobs.put(landed.path);
  log.info('media received', { sha256, size: stored.size });
  return stored;
}

/**
 * Media files on this Mac into the node's blob store, for scripts imported by the app: dropped on its
 * window (the page names the file and its sha256) or on its Dock icon. Only media file types, only
 * regular files, and only when the bytes are that sha256 (checked as they are copied, within the same
 * size budget as an upload over the network).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { type CallError, MEDIA_EXTENSIONS } from '../../shared/contract.ts';
import { type MediaBlobs, receiveMedia, wantedMedia } from '../intake/media-upload.ts';
import { isSha256 } from '../util/hash.ts';

const MEDIA_TYPES = new Set<string>(Object.values(MEDIA_EXTENSIONS).flat());

export type StoredLocally = { ok: true } | { ok: false; error: CallError };

export function isMediaPath(path: string): boolean {
  return MEDIA_TYPES.has(extname(path).toLowerCase());
}

export async function storeLocalMedia(
  blobs: MediaBlobs,
  dataDir: string,
  path: string,
  sha256: string,
): Promise<StoredLocally> {
  const refuse = (message: string): StoredLocally => ({ ok: false, error: { code: 'invalid', message } });
  if (!isSha256(sha256)) return refuse('not a sha256');
  if (!isMediaPath(path)) return refuse(`${path} is not a picture, clip or music file`);
  if (!(await stat(path).catch(() => null))?.isFile()) return refuse(`${path} is not a file`);
  if ((await wantedMedia(blobs, [sha256])).length === 0) return { ok: true };
  try {
    await receiveMedia(blobs, dataDir, createReadStream(path), sha256);
    return { ok: true };
  } catch (error) {
    return refuse(`${path} was not stored: ${(error as Error).message}`);
  }
}

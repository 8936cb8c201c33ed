/**
 * The sha256 of a dropped file, read in slices so a long clip never sits in memory whole. @noble/hashes
 * as for the login proof: a page on a LAN name is no secure context and has no crypto.subtle.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const SLICE_BYTES = 4 * 1024 * 1024;

export async function sha256OfFile(file: Blob): Promise<string> {
  const hash = sha256.create();
  for (let at = 0; at < file.size; at += SLICE_BYTES) {
    hash.update(new Uint8Array(await file.slice(at, at + SLICE_BYTES).arrayBuffer()));
  }
  return bytesToHex(hash.digest());
}

/** HMAC-SHA256 (RFC 2104) on top of the plain-TypeScript SHA-256, for pages without crypto.subtle. */
import { SHA256_BLOCK_BYTES, sha256 } from './sha256.ts';

const INNER_PAD = 0x36;
const OUTER_PAD = 0x5c;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(SHA256_BLOCK_BYTES);
  block.set(key.length > SHA256_BLOCK_BYTES ? sha256(key) : key);
  const inner = block.map((byte) => byte ^ INNER_PAD);
  const outer = block.map((byte) => byte ^ OUTER_PAD);
  return sha256(concat(outer, sha256(concat(inner, message))));
}

/**
 * The login proof for a browser on the LAN: hex HMAC-SHA256(farm key, "vfo-ui-session:" + nonce).
 * The key never leaves the page; only this proof of knowing it does.
 *
 * Always @noble/hashes, never crypto.subtle: a page served over plain http on the LAN is not a secure
 * context and has no crypto.subtle, so one implementation for every page means the path the browser
 * test takes (a LAN name, no subtle) is the only path there is. One HMAC of a short message is
 * microseconds, and being synchronous it needs no fallback for browsers whose subtle is broken.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export const SESSION_PROOF_PREFIX = 'vfo-ui-session:';

/** The node trims the key file's text, so the typed key is trimmed the same way. */
export function sessionProof(farmKey: string, nonce: string): string {
  const key = utf8ToBytes(farmKey.trim());
  return bytesToHex(hmac(sha256, key, utf8ToBytes(`${SESSION_PROOF_PREFIX}${nonce}`)));
}

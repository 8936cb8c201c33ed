/**
 * The login proof for a browser on the LAN: hex HMAC-SHA256(farm key, "vfo-ui-session:" + nonce).
 * The key never leaves the page; only this proof of knowing it does.
 */
import { toHex, utf8 } from './hex.ts';
import { hmacSha256 } from './hmac.ts';

export const SESSION_PROOF_PREFIX = 'vfo-ui-session:';

/** crypto.subtle exists only in secure contexts (https, localhost); plain http on the LAN has none. */
async function subtleHmacHex(subtle: SubtleCrypto, key: Uint8Array, message: Uint8Array): Promise<string> {
  const cryptoKey = await subtle.importKey(
    'raw',
    key as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const signature = await subtle.sign('HMAC', cryptoKey, message as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(signature));
}

export async function hmacSha256Hex(
  key: string,
  message: string,
  /** null forces the pure implementation (tests compare the two). */
  subtle: SubtleCrypto | null = globalThis.crypto?.subtle ?? null,
): Promise<string> {
  const keyBytes = utf8(key);
  const messageBytes = utf8(message);
  if (subtle) {
    try {
      return await subtleHmacHex(subtle, keyBytes, messageBytes);
    } catch {
      // Some embedded browsers expose a crippled subtle; the pure implementation gives the same answer.
    }
  }
  return toHex(hmacSha256(keyBytes, messageBytes));
}

/** The node trims the key file's text, so the typed key is trimmed the same way. */
export function sessionProof(farmKey: string, nonce: string, subtle?: SubtleCrypto | null): Promise<string> {
  return hmacSha256Hex(farmKey.trim(), SESSION_PROOF_PREFIX + nonce, subtle);
}

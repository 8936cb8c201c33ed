/**
 * The farm key: the one shared secret of a farm. It is held in an opaque object so that logging,
 * JSON-encoding or inspecting it by accident prints "[farm key]", never the secret; the text itself
 * is only reachable inside this module (HMAC is the only operation the rest of the code needs).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { PrivateFileError, readPrivateFile } from '../../util/private-file.ts';

export const MIN_FARM_KEY_LENGTH = 32;
/** Rejects keys like "aaaa…" or "0101…" that are long but guessable. */
const MIN_DISTINCT_CHARACTERS = 10;
const REDACTED = '[farm key]';

/** Key material lives here, keyed by the opaque object, so no property of FarmKey ever holds it. */
const secrets = new WeakMap<FarmKey, Buffer>();

export class FarmKey {
  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Thrown for an unusable key; the message describes the problem, never the key's text. */
export class FarmKeyError extends Error {
  override name = 'FarmKeyError';
}

/** Wraps key text (trimmed) after checking it is long and varied enough to be a real secret. */
export function farmKeyFromText(text: string, source = 'the farm key'): FarmKey {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new FarmKeyError(`${source} is empty`);
  if (trimmed.length < MIN_FARM_KEY_LENGTH) {
    throw new FarmKeyError(
      `${source} is too short (${trimmed.length} characters; at least ${MIN_FARM_KEY_LENGTH} are needed — ` +
        'make one with: openssl rand -base64 32 > farm.key; chmod 600 farm.key)',
    );
  }
  if (new Set(trimmed).size < MIN_DISTINCT_CHARACTERS) {
    throw new FarmKeyError(
      `${source} is too repetitive to be a secret (make one with: openssl rand -base64 32 > farm.key)`,
    );
  }
  const key = new FarmKey();
  secrets.set(key, Buffer.from(trimmed, 'utf8'));
  return key;
}

/**
 * Reads a key file (its whole text, trimmed). A key others may read is refused: anyone in that group
 * could join the farm and run work on every Mac.
 */
export async function readFarmKey(path: string): Promise<FarmKey> {
  const text = await readPrivateFile(path, 'the farm key file').catch((error: unknown) => {
    throw error instanceof PrivateFileError ? new FarmKeyError(error.message) : error;
  });
  return farmKeyFromText(text, `the farm key in ${path}`);
}

/** A fresh key: 32 random bytes, base64url (43 characters). */
export function generateFarmKey(): string {
  return randomBytes(32).toString('base64url');
}

/** HMAC-SHA256 under the farm key: the only use the rest of the code makes of the secret. */
export function farmHmac(key: FarmKey, message: string | Uint8Array): Buffer {
  const secret = secrets.get(key);
  // A FarmKey built with `new` outside farmKeyFromText holds nothing: refuse rather than sign with "".
  if (!secret) throw new FarmKeyError('not a farm key created by farmKeyFromText or readFarmKey');
  return createHmac('sha256', secret).update(message).digest();
}

/** Public farm identifier for mDNS TXT records: lets nodes recognise their farm without the key. */
export function farmIdOf(key: FarmKey): string {
  return farmHmac(key, 'vfo-farm-id').toString('hex').slice(0, 16);
}

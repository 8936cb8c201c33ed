/**
 * Who this node believes: an identity whose id matches its public key and whose admission was made
 * with this farm's key. Verified admissions are remembered (bounded), so a heartbeat a second costs one
 * Ed25519 verification, not an HMAC and a key import as well.
 */
import { type KeyObject, timingSafeEqual, verify } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { ADMISSION_PATTERN, admissionOf, nodeIdOf, publicKeyObject } from './identity.ts';
import type { FarmKey } from './key.ts';

export interface Credentials {
  id: string;
  publicKey: string;
  admission: string;
}

export class FarmTrust {
  private readonly key: FarmKey;
  private readonly admitted = new LRUCache<string, KeyObject>({ max: 4096 });

  constructor(key: FarmKey) {
    this.key = key;
  }

  /** The public key to verify this identity's signatures with, or null if the farm never admitted it. */
  publicKeyOf(credentials: Credentials): KeyObject | null {
    const cacheKey = `${credentials.id}\n${credentials.publicKey}\n${credentials.admission}`;
    const known = this.admitted.get(cacheKey);
    if (known) return known;
    if (!ADMISSION_PATTERN.test(credentials.admission)) return null;
    if (nodeIdOf(credentials.publicKey) !== credentials.id) return null;
    const expected = Buffer.from(admissionOf(this.key, credentials.id, credentials.publicKey), 'base64url');
    const given = Buffer.from(credentials.admission, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const publicKey = publicKeyObject(credentials.publicKey);
    if (publicKey) this.admitted.set(cacheKey, publicKey);
    return publicKey;
  }

  /** Whether `signature` (base64url) is `credentials`' signature of `message`. */
  verifies(credentials: Credentials, message: string, signature: string): boolean {
    const publicKey = this.publicKeyOf(credentials);
    if (!publicKey) return false;
    const bytes = Buffer.from(signature, 'base64url');
    return bytes.length === 64 && verify(null, Buffer.from(message), publicKey, bytes);
  }
}

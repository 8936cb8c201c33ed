/**
 * Every node (and every CLI client) speaks as itself: an Ed25519 key pair from node:crypto, its id
 * derived from the public key, so no one can claim an id without the matching private key. The farm
 * key only admits an identity: the admission is HMAC(farm key, id and public key), made once when the
 * identity is enrolled and carried with every signed message (see trust.ts, signing.ts).
 *
 * The private key stays inside this module (a WeakMap, like the farm key's text): logging, JSON or
 * inspecting an identity never prints it.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { writeFileAtomically } from '../../util/atomic-file.ts';
import { ensurePrivateDir } from '../../util/private-dir.ts';
import { type FarmKey, farmHmac } from './key.ts';

/** 24 hex digits (96 bits of the public key's sha256): long enough that no one can grind a twin. */
export const NODE_ID_LENGTH = 24;
export const PUBLIC_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const ADMISSION_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const NODE_KEY_FILE = 'node-key.pem';

const privateKeys = new WeakMap<NodeIdentity, KeyObject>();

export class NodeIdentity {
  readonly id: string;
  /** The raw 32-byte Ed25519 public key, base64url. */
  readonly publicKey: string;
  /** HMAC(farm key, admission text), base64url: proof the farm key holder enrolled this key. */
  readonly admission: string;

  constructor(farmKey: FarmKey, privateKey: KeyObject) {
    this.publicKey = rawPublicKey(createPublicKey(privateKey));
    this.id = nodeIdOf(this.publicKey);
    this.admission = admissionOf(farmKey, this.id, this.publicKey);
    privateKeys.set(this, privateKey);
  }

  /** An Ed25519 signature of `message`, base64url (86 characters). */
  sign(message: string | Uint8Array): string {
    const key = privateKeys.get(this);
    if (!key) throw new Error('identity without a private key');
    return sign(null, Buffer.from(message), key).toString('base64url');
  }

  toJSON(): { id: string; publicKey: string } {
    return { id: this.id, publicKey: this.publicKey };
  }

  [inspect.custom](): string {
    return `NodeIdentity(${this.id})`;
  }
}

export function nodeIdOf(publicKey: string): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, NODE_ID_LENGTH);
}

/** What the farm key signs to admit an identity; the prefix keeps it apart from every other HMAC use. */
export function admissionOf(farmKey: FarmKey, id: string, publicKey: string): string {
  return farmHmac(farmKey, `vfo-admission-v1\n${id}\n${publicKey}`).toString('base64url');
}

function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return jwk.x;
}

/** The public key object for a raw base64url key (null if it is not a valid Ed25519 key). */
export function publicKeyObject(publicKey: string): KeyObject | null {
  if (!PUBLIC_KEY_PATTERN.test(publicKey)) return null;
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  } catch {
    return null;
  }
}

/** A fresh identity that lives as long as the process (`vfo submit`, `vfo status`, tests). */
export function ephemeralIdentity(farmKey: FarmKey): NodeIdentity {
  return new NodeIdentity(farmKey, generateKeyPairSync('ed25519').privateKey);
}

/**
 * This node's identity, from `<data>/node-key.pem` (made on first start, 0600). A node keeps its
 * identity across restarts: its tasks and leases are known by its id.
 */
export async function loadNodeIdentity(dataDir: string, farmKey: FarmKey): Promise<NodeIdentity> {
  const path = join(dataDir, NODE_KEY_FILE);
  const pem = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw new Error(`cannot read the node key ${path} (${error.code ?? 'unknown'})`);
  });
  if (pem === null) {
    const { privateKey } = generateKeyPairSync('ed25519');
    ensurePrivateDir(dataDir);
    const text = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    // Created 0600: the private key is never readable by others, not even for a moment.
    await writeFileAtomically(path, text, { mode: 0o600 });
    return new NodeIdentity(farmKey, privateKey);
  }
  if (process.platform !== 'win32' && ((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  try {
    return new NodeIdentity(farmKey, createPrivateKey(pem));
  } catch {
    throw new Error(`the node key ${path} is not an Ed25519 private key (move it away to make a new one)`);
  }
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { SESSION_PROOF_PREFIX, sessionProof } from './session-proof.ts';

/**
 * [farm key, nonce, proof], each proof made by Node's own HMAC, exactly as the node checks a login:
 * createHmac('sha256', key).update('vfo-ui-session:' + nonce).digest('hex').
 */
const NODE_VECTORS: [string, string, string][] = [
  [
    'Zk3vQ9-mTq1xR7bL0pW4sYc8nHd2fJg6aE5uKi-oV_M',
    '4f1c2b9e8d7a6f5e4d3c2b1a09f8e7d6',
    '32499a411a4f7d1f708bf4a963d84a8df82dabd9ed6e04fdade875dc9ed6fe6a',
  ],
  // A key of exactly one SHA-256 block is used as is; one byte more is hashed first.
  ['a'.repeat(64), '00', '46a671017a698f8c5fdfd2bae8b8854d5cd49cf4f7bd835672fff97233b3a071'],
  ['b'.repeat(65), 'ffff', '156d09873bed5b7111c00245a39ce584cd987305e6e3de61e780ffc9ad2fd7ac'],
  // 62 characters but more than 64 UTF-8 bytes: the key is its UTF-8 bytes, as in the key file.
  [
    `clé de la ferme, 🎬 — ${'k'.repeat(40)}`,
    'n-1',
    'ebaf0adbb4d3dfd9d971886827125a1b9f612f8baa47fe35e54e20ed18c706a8',
  ],
  ['x'.repeat(200), '', '0c8cee2e06680f679bbe6409ea80ccbef4ffd89730c228859a146075c56cb844'],
];

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('session proof', () => {
  it('equals Node’s createHmac for known keys and nonces', () => {
    expect(globalThis.crypto?.subtle).toBeDefined();
    for (const [key, nonce, proof] of NODE_VECTORS) expect(sessionProof(key, nonce), key).toBe(proof);
  });

  it('gives the same proofs on a page with no crypto at all (plain http on a LAN)', () => {
    vi.stubGlobal('crypto', undefined);
    expect(globalThis.crypto).toBeUndefined();
    for (const [key, nonce, proof] of NODE_VECTORS) expect(sessionProof(key, nonce), key).toBe(proof);
  });

  it('agrees with Web Crypto’s HMAC at every key length around the block size', async () => {
    const nonce = '9d2c41f0aa7e';
    for (let length = 32; length <= 140; length++) {
      const key = Array.from({ length }, (_, i) => String.fromCharCode(33 + ((i * 7 + length) % 94))).join(
        '',
      );
      const encoder = new TextEncoder();
      const cryptoKey = await crypto.subtle.importKey(
        'raw',
        encoder.encode(key),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      const signature = await crypto.subtle.sign(
        'HMAC',
        cryptoKey,
        encoder.encode(SESSION_PROOF_PREFIX + nonce),
      );
      const expected = Array.from(new Uint8Array(signature), (b) => b.toString(16).padStart(2, '0')).join('');
      expect(sessionProof(key, nonce), `key length ${length}`).toBe(expected);
    }
  });

  it('signs under the trimmed key, as the node reads its key file', () => {
    const [key, nonce, proof] = NODE_VECTORS[0] as [string, string, string];
    expect(sessionProof(`  ${key}\n`, nonce)).toBe(proof);
    expect(SESSION_PROOF_PREFIX).toBe('vfo-ui-session:');
  });
});

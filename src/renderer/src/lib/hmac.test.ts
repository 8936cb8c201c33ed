import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from './hex.ts';
import { hmacSha256 } from './hmac.ts';
import { hmacSha256Hex, SESSION_PROOF_PREFIX, sessionProof } from './session-proof.ts';

const bytes = (length: number, value: number): Uint8Array => new Uint8Array(length).fill(value);
const hmacHex = (key: Uint8Array, data: Uint8Array): string => toHex(hmacSha256(key, data));

describe('hmacSha256 (RFC 4231 test cases)', () => {
  it('case 1: 20-byte key', () => {
    expect(hmacHex(bytes(20, 0x0b), utf8('Hi There'))).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
  });

  it('case 2: a key shorter than the output', () => {
    expect(hmacHex(utf8('Jefe'), utf8('what do ya want for nothing?'))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('case 3: 50 bytes of 0xdd', () => {
    expect(hmacHex(bytes(20, 0xaa), bytes(50, 0xdd))).toBe(
      '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    );
  });

  it('case 4: a 25-byte key', () => {
    const key = Uint8Array.from({ length: 25 }, (_, i) => i + 1);
    expect(hmacHex(key, bytes(50, 0xcd))).toBe(
      '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    );
  });

  it('case 6: a key longer than the block is hashed first', () => {
    expect(hmacHex(bytes(131, 0xaa), utf8('Test Using Larger Than Block-Size Key - Hash Key First'))).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('case 7: a long key and long data', () => {
    const data =
      'This is a test using a larger than block-size key and a larger than block-size data. ' +
      'The key needs to be hashed before being used by the HMAC algorithm.';
    expect(hmacHex(bytes(131, 0xaa), utf8(data))).toBe(
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    );
  });

  it('a key of exactly one block is used as is', async () => {
    const key = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
    const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    const expected = toHex(
      new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, utf8('x') as Uint8Array<ArrayBuffer>)),
    );
    expect(hmacHex(key, utf8('x'))).toBe(expected);
  });
});

describe('session proof', () => {
  const farmKey = 'Zk3vQ9-mTq1xR7bL0pW4sYc8nHd2fJg6aE5uKi-oV_M';
  const nonce = '4f1c2b9e8d7a6f5e4d3c2b1a09f8e7d6';

  it('is the same with Web Crypto and with the pure implementation', async () => {
    const withSubtle = await sessionProof(farmKey, nonce, crypto.subtle);
    const pure = await sessionProof(farmKey, nonce, null);
    expect(withSubtle).toMatch(/^[0-9a-f]{64}$/);
    expect(pure).toBe(withSubtle);
  });

  it('signs "vfo-ui-session:" + nonce under the trimmed key, as the node does', async () => {
    const expected = await hmacSha256Hex(farmKey, `${SESSION_PROOF_PREFIX}${nonce}`, null);
    expect(await sessionProof(`  ${farmKey}\n`, nonce, null)).toBe(expected);
    expect(SESSION_PROOF_PREFIX).toBe('vfo-ui-session:');
  });

  it('falls back to the pure implementation when subtle fails', async () => {
    const broken = {
      importKey: () => Promise.reject(new Error('not here')),
    } as unknown as SubtleCrypto;
    expect(await sessionProof(farmKey, nonce, broken)).toBe(await sessionProof(farmKey, nonce, null));
  });
});

import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from './hex.ts';
import { sha256 } from './sha256.ts';

const hash = (text: string): string => toHex(sha256(utf8(text)));

describe('sha256', () => {
  it('matches the FIPS 180-4 / NIST example vectors', () => {
    expect(hash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hash('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(
      hash(
        'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
      ),
    ).toBe('cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1');
  });

  it('hashes a million "a"s (many blocks)', () => {
    expect(toHex(sha256(new Uint8Array(1_000_000).fill(0x61)))).toBe(
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
  });

  it('agrees with Web Crypto at every length around the padding boundaries', async () => {
    for (let length = 0; length <= 200; length++) {
      const message = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      const expected = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', message)));
      expect(toHex(sha256(message)), `length ${length}`).toBe(expected);
    }
  });

  it('hashes UTF-8 text by its bytes', async () => {
    const text = 'Olá, ¡mundo! 🎬';
    const expected = toHex(
      new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(text) as Uint8Array<ArrayBuffer>)),
    );
    expect(hash(text)).toBe(expected);
  });
});

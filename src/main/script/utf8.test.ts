import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8Offset, locateOffset } from './utf8.ts';

describe('firstInvalidUtf8Offset', () => {
  it('accepts valid UTF-8 including 4-byte characters', () => {
    expect(firstInvalidUtf8Offset(Buffer.from('héllo 🎬 ação ñ'))).toBe(-1);
  });

  it.each([
    ['a lone continuation byte', [0x61, 0x80]],
    ['an overlong 2-byte form', [0x61, 0xc0, 0xaf]],
    ['an overlong 3-byte form', [0x61, 0xe0, 0x80, 0xaf]],
    ['a UTF-16 surrogate', [0x61, 0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0x61, 0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence', [0x61, 0xe2, 0x82]],
    ['a Latin-1 byte', [0x61, 0xe9, 0x20]],
  ])('finds %s', (_name, bytes) => {
    expect(firstInvalidUtf8Offset(Uint8Array.from(bytes))).toBe(1);
  });
});

describe('locateOffset', () => {
  it('counts LF, CRLF and CR line breaks once each', () => {
    const text = 'ab\ncd\r\nef\rgh';
    expect(locateOffset(text, text.indexOf('d'))).toEqual({ line: 2, col: 2 });
    expect(locateOffset(text, text.indexOf('f'))).toEqual({ line: 3, col: 2 });
    expect(locateOffset(text, text.indexOf('h'))).toEqual({ line: 4, col: 2 });
  });
});

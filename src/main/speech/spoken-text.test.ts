import { describe, expect, it } from 'vitest';
import { breakDoubleBrackets, literalSpokenText } from './spoken-text.ts';

describe('literalSpokenText', () => {
  it('breaks every "[[" so neither espeak-ng phonemes nor say commands are triggered', () => {
    expect(breakDoubleBrackets('a [[rate 300]] b')).toBe('a [ [rate 300]] b');
    expect(breakDoubleBrackets('[[[x')).toBe('[ [ [x');
    expect(breakDoubleBrackets('[single] stays')).toBe('[single] stays');
    expect(literalSpokenText('x[[slnc 9000]]').includes('[[')).toBe(false);
  });

  it('keeps markup-like characters and turns control characters into spaces', () => {
    expect(literalSpokenText('Tom & <Jerry> "quoted" {\\b1}')).toBe('Tom & <Jerry> "quoted" {\\b1}');
    expect(literalSpokenText(' one\ntwo\u0007three\r\n')).toBe('one two three');
  });
});

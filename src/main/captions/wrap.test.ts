import { describe, expect, it } from 'vitest';
import { captionPages, pageTimes, singleLine, wrapWords } from './wrap.ts';

describe('caption wrapping', () => {
  it('keeps short text on one line and balances two lines', () => {
    expect(captionPages('  Short\n text ', 20)).toEqual([['Short text']]);
    expect(captionPages('one two three four five six', 20)).toEqual([['one two three', 'four five six']]);
    expect(captionPages('', 20)).toEqual([]);
  });

  // Found by attacking the captions: "\u202Eevil text\u202C end." was shown as "txet live end.".
  it('drops the invisible controls that would reorder the text, keeping right-to-left text as written', () => {
    expect(singleLine('\u202Eevil text\u202C end. \u2067x\u2069')).toBe('evil text end. x');
    expect(singleLine('שלום עולם')).toBe('שלום עולם');
  });

  it('cuts a word longer than a line rather than overflowing the screen', () => {
    expect(wrapWords('a supercalifragilistic b', 8)).toEqual(['a', 'supercal', 'ifragili', 'stic b']);
  });

  // Found by attacking the captions: an emoji cut in two showed as two U+FFFD, an accent began a line.
  it('cuts a long word only between characters as a reader sees them', () => {
    const emoji = `${'a'.repeat(7)}🎉bbb`;
    expect(wrapWords(emoji, 8)).toEqual(['aaaaaaa', '🎉bbb']);
    const accent = `${'e'.repeat(7)}e\u0301ff`;
    expect(wrapWords(accent, 8)).toEqual(['eeeeeee', 'e\u0301ff']);
    // A character wider than a line still goes on a line of its own rather than being lost.
    expect(wrapWords('👩‍👩‍👧‍👦x', 2)).toEqual(['👩‍👩‍👧‍👦', 'x']);
    // No half of a surrogate pair anywhere.
    for (const line of [...wrapWords(emoji, 8), ...wrapWords(accent, 8)])
      expect(line).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('splits time across pages by characters, covering the cue exactly', () => {
    const pages = [['aaaa'], ['bbbbbbbb'], ['cccc']];
    expect(pageTimes(pages, 1000, 2600)).toEqual([
      { startMs: 1000, endMs: 1400 },
      { startMs: 1400, endMs: 2200 },
      { startMs: 2200, endMs: 2600 },
    ]);
  });
});

describe('caption wrapping to a style’s number of lines', () => {
  const text = 'one two three four five six seven eight nine ten';
  it('balances three lines and keeps one line per page for a single-line style', () => {
    expect(captionPages(text, 20, 3)).toEqual([['one two three four', 'five six seven', 'eight nine ten']]);
    expect(captionPages(text, 20, 1)).toEqual([
      ['one two three four'],
      ['five six seven eight'],
      ['nine ten'],
    ]);
  });

  it('matches the two-line wrapping captions always had', () => {
    expect(captionPages(text, 20, 2)).toEqual(captionPages(text, 20));
    expect(captionPages(text, 12, 2)).toEqual([
      ['one two', 'three four'],
      ['five six', 'seven eight'],
      ['nine', 'ten'],
    ]);
  });
});

describe('a page of no lines', () => {
  it('is refused, not looped over for ever (a caption style row of 0 lines)', () => {
    expect(() => captionPages('one two three four five six seven eight nine ten', 10, 0)).toThrow(RangeError);
  });
});

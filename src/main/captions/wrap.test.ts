import { describe, expect, it } from 'vitest';
import { captionPages, pageTimes, wrapWords } from './wrap.ts';

describe('caption wrapping', () => {
  it('keeps short text on one line and balances two lines', () => {
    expect(captionPages('  Short\n text ', 20)).toEqual([['Short text']]);
    expect(captionPages('one two three four five six', 20)).toEqual([['one two three', 'four five six']]);
    expect(captionPages('', 20)).toEqual([]);
  });

  it('cuts a word longer than a line rather than overflowing the screen', () => {
    expect(wrapWords('a supercalifragilistic b', 8)).toEqual(['a', 'supercal', 'ifragili', 'stic b']);
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

import { describe, expect, it } from 'vitest';
import { alignWords, matchKey } from './word-align.ts';

/** Timed words 100 ms apart, each 80 ms long. */
const said = (...texts: string[]) =>
  texts.map((text, i) => ({ text, startMs: i * 100, endMs: i * 100 + 80 }));
const starts = (spans: ReturnType<typeof alignWords>) => spans.map((span) => span?.startMs ?? null);

describe('aligning the voice’s words with the written ones', () => {
  it('compares letters and digits only', () => {
    expect(matchKey('"Don’t,"')).toBe('dont');
    expect(matchKey('Café')).toBe('cafe');
    expect(matchKey('&')).toBe('');
  });

  it('matches word for word when the voice said what is written', () => {
    const tokens = 'Bees talk, with "their" bodies.'.split(' ');
    expect(starts(alignWords(tokens, said('Bees', 'talk', 'with', 'their', 'bodies')))).toEqual([
      0, 100, 200, 300, 400,
    ]);
  });

  it('gives a word said differently ("Doctor", "and") to the written word it stands for', () => {
    const tokens = 'Dr. Smith met Tom & Jerry'.split(' ');
    const spans = alignWords(tokens, said('Doctor', 'Smith', 'met', 'Tom', 'and', 'Jerry'));
    expect(starts(spans)).toEqual([0, 100, 200, 300, 400, 500]);
  });

  it('spans every word a written one was spoken as, and skips one not spoken at all', () => {
    const tokens = 'a state-of-the-art — engine'.split(' ');
    const spans = alignWords(tokens, said('a', 'state', 'of', 'the', 'art', 'engine'));
    expect(spans).toEqual([
      { startMs: 0, endMs: 80 },
      { startMs: 100, endMs: 480 },
      undefined,
      { startMs: 500, endMs: 580 },
    ]);
  });

  it('keeps going after a written word the voice left out', () => {
    const tokens = 'one two three four five'.split(' ');
    expect(starts(alignWords(tokens, said('one', 'three', 'four', 'five')))).toEqual([
      0,
      null,
      100,
      200,
      300,
    ]);
  });
});

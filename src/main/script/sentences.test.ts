import { describe, expect, it } from 'vitest';
import type { PositionedText } from './line-text.ts';
import { splitIntoCues } from './sentences.ts';

/** One source line 7 whose characters start at column 1. */
function line(text: string): PositionedText {
  return { text, lines: text.split('').map(() => 7), cols: text.split('').map((_, i) => i + 1) };
}

const texts = (text: string, max?: number) => splitIntoCues(line(text), max).map((c) => c.text);

describe('splitIntoCues', () => {
  it('splits sentences at . ! ? … followed by a space, keeping closing quotes', () => {
    expect(texts('One. Two! Three? Four… "Five." Six?! Seven')).toEqual([
      'One.',
      'Two!',
      'Three?',
      'Four…',
      '"Five."',
      'Six?!',
      'Seven',
    ]);
  });

  it('does not split decimals, abbreviations, initials or before a lower-case word', () => {
    expect(
      texts('It costs 3.50 today. Mr. Smith and Dr. Who met J. R. Tolkien. Approx. five. Next, e.g. this.'),
    ).toEqual([
      'It costs 3.50 today.',
      'Mr. Smith and Dr. Who met J. R. Tolkien.',
      'Approx. five.',
      'Next, e.g. this.',
    ]);
  });

  it('collapses whitespace and reports where each cue starts', () => {
    expect(splitIntoCues(line('  Hello   world.\tBye now.  '))).toEqual([
      { text: 'Hello world.', line: 7, col: 3 },
      { text: 'Bye now.', line: 7, col: 18 },
    ]);
  });

  it('drops cues with nothing to say', () => {
    expect(texts('Hello. ... — !')).toEqual(['Hello.']);
  });

  it('splits a long sentence at a comma so each cue fits two caption lines', () => {
    const sentence =
      'When the sun finally rose over the quiet valley after the longest night of the year, the villagers came out to see it.';
    const cues = texts(sentence);
    expect(cues).toEqual([
      'When the sun finally rose over the quiet valley after the longest night of the year,',
      'the villagers came out to see it.',
    ]);
    for (const cue of texts(`${sentence} ${sentence} ${sentence}`.replaceAll('.', ''))) {
      expect(cue.length).toBeLessThanOrEqual(110);
    }
  });

  it('falls back to a word boundary, then to a hard cut', () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    for (const cue of texts(words)) expect(cue.length).toBeLessThanOrEqual(110);
    expect(texts(words).join(' ')).toBe(words);
    expect(texts('x'.repeat(250))).toEqual(['x'.repeat(110), 'x'.repeat(110), 'x'.repeat(30)]);
  });

  it('locates the second piece of a split sentence', () => {
    const cues = splitIntoCues(line(`${'a'.repeat(60)}, ${'b'.repeat(60)}.`));
    expect(cues[1]).toEqual({ text: `${'b'.repeat(60)}.`, line: 7, col: 63 });
  });
});

/**
 * Which written word each timed word belongs to. Captions show the script's words (with their
 * punctuation, "&", "Dr."), the voice reports the words it said ("and", "Doctor"): both are compared
 * as letters and digits only, searching forward, so a word said differently or not at all never
 * throws later words off.
 */

export interface WordSpan {
  startMs: number;
  endMs: number;
}

/** How far ahead a timed word is looked for before it is taken as the current word said differently. */
const LOOKAHEAD_TOKENS = 3;

/** Letters and digits only, lower-case, accents kept apart: "Don't," → "dont", "Café" → "cafe". */
export function matchKey(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * The time span of each written token (undefined for one no timed word fell on). A token spoken as
 * several words ("state-of-the-art", "Dr." read as "Doctor") spans all of them.
 */
export function alignWords(
  tokens: readonly string[],
  words: readonly { text: string; startMs: number; endMs: number }[],
): (WordSpan | undefined)[] {
  const keys = tokens.map(matchKey);
  const spans: (WordSpan | undefined)[] = tokens.map(() => undefined);
  if (tokens.length === 0) return spans;
  let at = 0;
  let rest = keys[0] ?? '';
  const extend = (index: number, word: WordSpan): void => {
    const span = spans[index];
    spans[index] = span
      ? { startMs: Math.min(span.startMs, word.startMs), endMs: Math.max(span.endMs, word.endMs) }
      : { startMs: word.startMs, endMs: word.endMs };
  };
  for (const word of words) {
    const key = matchKey(word.text);
    if (key === '') continue;
    let found = -1;
    for (let ahead = 0; ahead <= LOOKAHEAD_TOKENS && at + ahead < tokens.length; ahead++) {
      const haystack = ahead === 0 ? rest : (keys[at + ahead] ?? '');
      if (haystack.includes(key)) {
        found = at + ahead;
        break;
      }
    }
    if (found < 0) {
      // Said differently from how it is written: it is the word being said now.
      extend(Math.min(at, tokens.length - 1), word);
      continue;
    }
    if (found !== at) {
      at = found;
      rest = keys[at] ?? '';
    }
    rest = rest.slice(rest.indexOf(key) + key.length);
    extend(at, word);
    if (rest === '' && at + 1 < tokens.length) {
      at++;
      rest = keys[at] ?? '';
    }
  }
  return spans;
}

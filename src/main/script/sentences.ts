import { SCRIPT_LIMITS } from './limits.ts';
import type { PositionedText } from './line-text.ts';

/** One caption cue's worth of text and where it starts in the source. */
export interface Cue {
  text: string;
  line: number;
  col: number;
}

const TERMINATORS = '.!?…';
const CLOSERS = `"'”’»)]`;
const SOFT_BREAK = /[,;:—–]/;
const SPEAKABLE = /[\p{L}\p{N}]/u;
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'dra',
  'prof',
  'sr',
  'sra',
  'srta',
  'jr',
  'st',
  'vs',
  'e.g',
  'i.e',
]);

/**
 * Splits paragraph text into sentences, then splits sentences longer than `maxChars` at a comma,
 * semicolon or word boundary so each cue fits two caption lines. Cues with nothing to say
 * (only punctuation) are dropped.
 */
export function splitIntoCues(
  paragraph: PositionedText,
  maxChars: number = SCRIPT_LIMITS.maxCueChars,
): Cue[] {
  const flat = collapseWhitespace(paragraph);
  const cues: Cue[] = [];
  for (const [start, end] of sentenceRanges(flat.text)) {
    for (const [from, to] of splitLong(flat.text, start, end, maxChars)) {
      const piece = flat.text.slice(from, to);
      const text = piece.trim();
      if (!SPEAKABLE.test(text)) continue;
      const first = from + piece.length - piece.trimStart().length;
      cues.push({ text, line: flat.lines[first] as number, col: flat.cols[first] as number });
    }
  }
  return cues;
}

/** Runs of whitespace (including line joins and tabs) become one space; ends are trimmed. */
function collapseWhitespace(source: PositionedText): PositionedText {
  const chunks: string[] = [];
  const lines: number[] = [];
  const cols: number[] = [];
  for (const run of source.text.matchAll(/\S+/g)) {
    const from = run.index;
    if (chunks.length > 0) {
      // The joining space takes the position of the word after it; it is never a cue's start.
      chunks.push(' ');
      lines.push(source.lines[from] as number);
      cols.push(source.cols[from] as number);
    }
    chunks.push(run[0]);
    for (let i = from; i < from + run[0].length; i++) {
      lines.push(source.lines[i] as number);
      cols.push(source.cols[i] as number);
    }
  }
  return { text: chunks.join(''), lines, cols };
}

function sentenceRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (!TERMINATORS.includes(text[i] as string)) continue;
    let end = i;
    while (end < text.length && TERMINATORS.includes(text[end] as string)) end++;
    const single = end === i + 1;
    while (end < text.length && CLOSERS.includes(text[end] as string)) end++;
    if (end < text.length && text[end] !== ' ') {
      i = end - 1;
      continue;
    }
    if (!(single && text[i] === '.' && continuesAfterDot(text, start, i, end))) {
      ranges.push([start, end]);
      start = end + 1;
    }
    i = end - 1;
  }
  if (start < text.length) ranges.push([start, text.length]);
  return ranges;
}

/** A dot after an abbreviation or an initial, or before a lower-case word, does not end a sentence. */
function continuesAfterDot(text: string, sentenceStart: number, dot: number, end: number): boolean {
  const wordStart = Math.max(sentenceStart, text.lastIndexOf(' ', dot - 1) + 1);
  const word = text.slice(wordStart, dot).replace(/^[^\p{L}]+/u, '');
  if (ABBREVIATIONS.has(word.toLowerCase()) || /^\p{Lu}$/u.test(word)) return true;
  const next = text[end + 1];
  return next !== undefined && /\p{Ll}/u.test(next);
}

function splitLong(text: string, start: number, end: number, maxChars: number): [number, number][] {
  const pieces: [number, number][] = [];
  const minPiece = Math.floor(maxChars / 3);
  let from = start;
  while (end - from > maxChars) {
    const limit = from + maxChars;
    let cut = -1;
    // Prefer a clause boundary, then a word boundary; a single enormous "word" is cut hard.
    for (let k = limit; k > from + minPiece && cut < 0; k--) {
      if (text[k] === ' ' && SOFT_BREAK.test(text[k - 1] as string)) cut = k;
    }
    for (let k = limit; k > from && cut < 0; k--) if (text[k] === ' ') cut = k;
    if (cut < 0) cut = /[\uD800-\uDBFF]/.test(text[limit - 1] as string) ? limit - 1 : limit;
    pieces.push([from, cut]);
    from = cut;
    while (text[from] === ' ') from++;
  }
  pieces.push([from, end]);
  return pieces;
}

/**
 * Line breaking for burned-in captions: at most `maxLines` lines on screen (the caption style's; two
 * by default), balanced so no line is much longer than the others; longer text becomes several pages
 * shown one after another.
 */

/**
 * Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): invisible, they reorder what
 * follows them, so `\u202Eevil text` was shown as "txet live". Bidirectional text needs none of them.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** One line of caption text: newlines and runs of spaces become single spaces, bidi controls go. */
export function singleLine(text: string): string {
  return text.replace(BIDI_CONTROLS, '').replace(/\s+/g, ' ').trim();
}

/**
 * How wide a line is, and how wide one may be: in characters (`maxChars` given as a number), or as
 * drawn, where the font is known (look.ts): "WWW…" is twice as wide as "iii…" of the same length, and
 * ran off the frame.
 */
export interface LineFit {
  width(line: string): number;
  max: number;
}

export const charFit = (maxChars: number): LineFit => ({ width: (line) => line.length, max: maxChars });

const fitOf = (fit: number | LineFit): LineFit => (typeof fit === 'number' ? charFit(fit) : fit);
const fits = (fit: LineFit, line: string) => fit.width(line) <= fit.max;

/** Greedy word wrap; a word longer than a line is cut, since nothing else would fit it on screen. */
export function wrapWords(text: string, lineFit: number | LineFit): string[] {
  const fit = fitOf(lineFit);
  const lines: string[] = [];
  let line = '';
  for (const word of singleLine(text).split(' ')) {
    if (word === '') continue;
    for (let rest = word; rest !== ''; ) {
      const candidate = line === '' ? rest : `${line} ${rest}`;
      if (fits(fit, candidate)) {
        line = candidate;
        rest = '';
      } else if (line !== '') {
        lines.push(line);
        line = '';
      } else {
        const cut = graphemePrefix(rest, fit);
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * How much of `word` fits a line, cut between characters as a reader sees them (one grapheme at
 * least): cut anywhere, an emoji became two halves drawn as U+FFFD, and an accent began the next line.
 */
function graphemePrefix(word: string, fit: LineFit): number {
  let end = 0;
  for (const { index, segment } of graphemes.segment(word)) {
    if (!fits(fit, word.slice(0, index + segment.length))) return end === 0 ? segment.length : end;
    end = index + segment.length;
  }
  return end;
}

const widest = (lines: readonly string[], fit: LineFit) => Math.max(...lines.map((line) => fit.width(line)));

/** The break between words that makes the wider of two lines narrowest, if both lines fit. */
function balancedTwoLines(text: string, fit: LineFit): string[] | undefined {
  let best: string[] | undefined;
  let bestWidth = Number.POSITIVE_INFINITY;
  for (let at = text.indexOf(' '); at !== -1; at = text.indexOf(' ', at + 1)) {
    const split = [text.slice(0, at), text.slice(at + 1)];
    const width = widest(split, fit);
    if (width > fit.max || width >= bestWidth) continue;
    best = split;
    bestWidth = width;
  }
  return best;
}

/**
 * The narrowest greedy wrap of `text` into at most `lines` lines that fit: for two lines the split
 * that makes the wider line narrowest, and likewise for more.
 */
function balancedLines(text: string, fit: LineFit, lines: number): string[] | undefined {
  if (lines === 2) return balancedTwoLines(text, fit);
  let best = wrapWords(text, fit);
  if (best.length > lines) return undefined;
  for (;;) {
    // Narrower than the widest line so far; each pass narrows, so this ends.
    const wrapped = wrapWords(text, { width: fit.width, max: widest(best, fit) - 1e-9 });
    // A narrower width that still fits would cut a word: stop at the last one that breaks only at spaces.
    if (wrapped.length > lines || wrapped.join(' ') !== text) return best;
    best = wrapped;
  }
}

/** Pages of at most maxLines lines (default two), each line fitting (`maxChars` characters long). */
export function captionPages(text: string, lineFit: number | LineFit, maxLines = 2): string[][] {
  const fit = fitOf(lineFit);
  // A page holds a line at least: zero lines never advanced through the text (found with a style row of 0).
  if (!(maxLines >= 1)) throw new RangeError(`a caption page holds at least one line, not ${maxLines}`);
  const oneLine = singleLine(text);
  if (oneLine === '') return [];
  if (fits(fit, oneLine)) return [[oneLine]];
  if (maxLines > 1) {
    const balanced = balancedLines(oneLine, fit, maxLines);
    if (balanced) return [balanced];
  }
  const lines = wrapWords(oneLine, fit);
  const pages: string[][] = [];
  for (let i = 0; i < lines.length; i += maxLines) {
    const group = lines.slice(i, i + maxLines);
    pages.push((maxLines > 1 ? balancedLines(group.join(' '), fit, maxLines) : undefined) ?? group);
  }
  return pages;
}

/**
 * Splits [startMs, endMs] between pages in proportion to their characters, which is roughly how long
 * each takes to say. The first page starts at startMs and the last ends at endMs exactly.
 */
export function pageTimes(
  pages: string[][],
  startMs: number,
  endMs: number,
): { startMs: number; endMs: number }[] {
  const weights = pages.map((lines) => Math.max(1, lines.join(' ').length));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const times: { startMs: number; endMs: number }[] = [];
  let before = 0;
  for (const weight of weights) {
    const from = startMs + Math.round(((endMs - startMs) * before) / total);
    before += weight;
    const to = before === total ? endMs : startMs + Math.round(((endMs - startMs) * before) / total);
    times.push({ startMs: from, endMs: to });
  }
  return times;
}

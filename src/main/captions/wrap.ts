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

/** Greedy word wrap; a word longer than a line is cut, since nothing else would fit it on screen. */
export function wrapWords(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of singleLine(text).split(' ')) {
    if (word === '') continue;
    for (let rest = word; rest !== ''; ) {
      const candidate = line === '' ? rest : `${line} ${rest}`;
      if (candidate.length <= maxChars) {
        line = candidate;
        rest = '';
      } else if (line !== '') {
        lines.push(line);
        line = '';
      } else {
        const cut = graphemePrefix(rest, maxChars);
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
 * How much of `word` fits in `maxChars`, cut between characters as a reader sees them (one grapheme
 * at least): cut anywhere, an emoji became two halves drawn as U+FFFD, and an accent began the next line.
 */
function graphemePrefix(word: string, maxChars: number): number {
  let end = 0;
  for (const { index, segment } of graphemes.segment(word)) {
    if (index + segment.length > maxChars) return end === 0 ? segment.length : end;
    end = index + segment.length;
  }
  return end;
}

/** The break between words that makes the longer of two lines shortest, if both lines fit. */
function balancedTwoLines(text: string, maxChars: number): string[] | undefined {
  let best: string[] | undefined;
  for (let at = text.indexOf(' '); at !== -1; at = text.indexOf(' ', at + 1)) {
    const first = text.slice(0, at);
    const second = text.slice(at + 1);
    const longest = Math.max(first.length, second.length);
    if (longest > maxChars) continue;
    if (!best || longest < Math.max(best[0]?.length ?? 0, best[1]?.length ?? 0)) best = [first, second];
  }
  return best;
}

/**
 * The narrowest greedy wrap of `text` into at most `lines` lines of at most maxChars: for two lines
 * the split that makes the longer line shortest, and likewise for more.
 */
function balancedLines(text: string, maxChars: number, lines: number): string[] | undefined {
  if (lines === 2) return balancedTwoLines(text, maxChars);
  const widest = wrapWords(text, maxChars);
  if (widest.length > lines) return undefined;
  let best = widest;
  for (let width = maxChars - 1; width >= 1; width--) {
    const wrapped = wrapWords(text, width);
    // A narrower width that still fits would cut a word: stop at the last one that breaks only at spaces.
    if (wrapped.length > lines || wrapped.join(' ') !== text) break;
    best = wrapped;
  }
  return best;
}

/** Pages of at most maxLines lines (default two), each line at most maxChars long. */
export function captionPages(text: string, maxChars: number, maxLines = 2): string[][] {
  // A page holds a line at least: zero lines never advanced through the text (found with a style row of 0).
  if (!(maxLines >= 1)) throw new RangeError(`a caption page holds at least one line, not ${maxLines}`);
  const oneLine = singleLine(text);
  if (oneLine === '') return [];
  if (oneLine.length <= maxChars) return [[oneLine]];
  if (maxLines > 1) {
    const balanced = balancedLines(oneLine, maxChars, maxLines);
    if (balanced) return [balanced];
  }
  const lines = wrapWords(oneLine, maxChars);
  const pages: string[][] = [];
  for (let i = 0; i < lines.length; i += maxLines) {
    const group = lines.slice(i, i + maxLines);
    pages.push((maxLines > 1 ? balancedLines(group.join(' '), maxChars, maxLines) : undefined) ?? group);
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

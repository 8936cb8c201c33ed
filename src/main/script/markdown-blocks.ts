import { type LineText, sliceLineText } from './line-text.ts';

/** Where an HTML comment that is still open was opened; undefined when not inside a comment. */
export interface CommentState {
  openedAt?: { line: number; col: number };
}

/**
 * Removes `<!-- ... -->` (possibly spanning lines) and keeps the columns of what remains.
 * Comments are notes to the writer and are never spoken.
 */
export function removeComments(line: string, lineNumber: number, state: CommentState): LineText {
  let text = '';
  const cols: number[] = [];
  let i = 0;
  while (i < line.length) {
    if (state.openedAt) {
      const end = line.indexOf('-->', i);
      if (end < 0) break;
      state.openedAt = undefined;
      i = end + 3;
      continue;
    }
    const start = line.indexOf('<!--', i);
    const stop = start < 0 ? line.length : start;
    text += line.slice(i, stop);
    for (let k = i; k < stop; k++) cols.push(k + 1);
    if (start < 0) break;
    state.openedAt = { line: lineNumber, col: start + 1 };
    i = start + 4;
  }
  return { text, cols };
}

export type BlockLine =
  /** An empty line: ends the paragraph. */
  | { kind: 'blank' }
  /** A line that only held comments: invisible, does not end the paragraph. */
  | { kind: 'hidden' }
  /** A horizontal rule: ends the paragraph, says nothing. */
  | { kind: 'rule' }
  | { kind: 'heading'; level: number; content: LineText }
  /**
   * Paragraph text. `startsBlock` for list items, which never join the previous line;
   * `quoted` for blockquote lines, which join only other quoted lines.
   */
  | { kind: 'text'; content: LineText; startsBlock: boolean; quoted: boolean };

const HEADING = /^(#{1,6})(?:[ \t]+|$)/;
/** Horizontal rules, and `===` setext underlines (the line above is then spoken as a paragraph). */
const RULE = /^(?:([-*_])(?:[ \t]*\1){2,}|={3,})[ \t]*$/;
// At most three digits, so a sentence like "2024. What a year." is not taken for a list item.
const BULLET = /^(?:[-*+]|\d{1,3}[.)])[ \t]+/;
const TASK_BOX = /^\[[ xX]\][ \t]+/;

/** Classifies one line (after comment removal) by its block-level markdown. */
export function classifyLine(raw: string, visible: LineText): BlockLine {
  if (visible.text.trim() === '') return raw.trim() === '' ? { kind: 'blank' } : { kind: 'hidden' };
  let content = sliceLineText(visible, leadingSpace(visible.text));
  const heading = HEADING.exec(content.text);
  if (heading) {
    const level = (heading[1] as string).length;
    const end = closingHashesAt(content.text);
    return { kind: 'heading', level, content: sliceLineText(content, heading[0].length, end) };
  }
  if (RULE.test(content.text)) return { kind: 'rule' };
  const quotes = quoteMarkersEnd(content.text);
  const quoted = quotes > 0;
  if (quoted) content = sliceLineText(content, quotes);
  if (quoted && content.text.trim() === '') return { kind: 'blank' };
  const bullet = BULLET.exec(content.text);
  if (!bullet) return { kind: 'text', content, startsBlock: false, quoted };
  content = sliceLineText(content, bullet[0].length);
  const box = TASK_BOX.exec(content.text);
  if (box) content = sliceLineText(content, box[0].length);
  return { kind: 'text', content, startsBlock: true, quoted };
}

function leadingSpace(text: string): number {
  return text.length - text.trimStart().length;
}

// The two scans below walk the line once. As regular expressions applied again and again they cost
// time quadratic in the line: a 2 MB script of 20,000-deep quotes took minutes to check.

/** Where the text after a line's quote markers (`> > `, each with the white space after it) starts. */
function quoteMarkersEnd(text: string): number {
  let at = 0;
  while (text[at] === '>') {
    at += 1;
    while (at < text.length && /\s/.test(text[at] as string)) at += 1;
  }
  return at;
}

const isBlank = (char: string | undefined) => char === ' ' || char === '\t';

/** Where a heading's closing `#`s start, with the blanks before them (they must have some); else the end. */
function closingHashesAt(text: string): number {
  let end = text.length;
  while (end > 0 && isBlank(text[end - 1])) end -= 1;
  let hashes = end;
  while (hashes > 0 && text[hashes - 1] === '#') hashes -= 1;
  let start = hashes;
  while (start > 0 && isBlank(text[start - 1])) start -= 1;
  return hashes < end && start < hashes ? start : text.length;
}

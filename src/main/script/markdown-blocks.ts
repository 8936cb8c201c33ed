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
const QUOTE = /^>[ \t]?/;
// At most three digits, so a sentence like "2024. What a year." is not taken for a list item.
const BULLET = /^(?:[-*+]|\d{1,3}[.)])[ \t]+/;
const TASK_BOX = /^\[[ xX]\][ \t]+/;
const CLOSING_HASHES = /[ \t]+#+[ \t]*$/;

/** Classifies one line (after comment removal) by its block-level markdown. */
export function classifyLine(raw: string, visible: LineText): BlockLine {
  if (visible.text.trim() === '') return raw.trim() === '' ? { kind: 'blank' } : { kind: 'hidden' };
  let content = sliceLineText(visible, leadingSpace(visible.text));
  const heading = HEADING.exec(content.text);
  if (heading) {
    const level = (heading[1] as string).length;
    const closing = CLOSING_HASHES.exec(content.text);
    const end = closing ? closing.index : content.text.length;
    return { kind: 'heading', level, content: sliceLineText(content, heading[0].length, end) };
  }
  if (RULE.test(content.text)) return { kind: 'rule' };
  let quoted = false;
  for (let match = QUOTE.exec(content.text); match; match = QUOTE.exec(content.text)) {
    quoted = true;
    content = sliceLineText(content, match[0].length);
    content = sliceLineText(content, leadingSpace(content.text));
  }
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

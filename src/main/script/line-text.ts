/**
 * Text that remembers where each character came from. Markup removal drops characters, so
 * positions are carried per character rather than recomputed: every cue can point back at the
 * exact line and column a writer typed.
 */
export interface LineText {
  text: string;
  /** 1-based source column of each character of `text`. */
  cols: number[];
}

export function sliceLineText(source: LineText, start: number, end = source.text.length): LineText {
  return { text: source.text.slice(start, end), cols: source.cols.slice(start, end) };
}

/** Like LineText, but spanning several lines (a paragraph). */
export interface PositionedText {
  text: string;
  lines: number[];
  cols: number[];
}

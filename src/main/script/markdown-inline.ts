import { type LineText, sliceLineText } from './line-text.ts';
import { indexLine, type PairIndex } from './pair-index.ts';

export type InlineToken =
  | { kind: 'text'; text: LineText }
  /** `[content]`; `col` is where the `[` is. */
  | { kind: 'direction'; content: string; col: number };

export interface InlineProblem {
  severity: 'error' | 'warning';
  col: number;
  message: string;
}

const ESCAPABLE = /[!-/:-@[-`{-~]/;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Splits one line into spoken text and stage directions, dropping inline markdown: emphasis
 * markers, code backticks (code content stays literal), links → their text. Runs in linear time
 * on hostile input: bracket, parenthesis and backtick partners are indexed once per line.
 */
export function scanInline(source: LineText, problems: InlineProblem[]): InlineToken[] {
  return new InlineScanner(source, problems, false).run();
}

class InlineScanner {
  private readonly source: LineText;
  private readonly problems: InlineProblem[];
  /** Inside link text: brackets are plain characters (links do not nest, directions do not apply). */
  private readonly inLinkText: boolean;
  private readonly index: PairIndex;
  private readonly tokens: InlineToken[] = [];
  private pending: LineText = { text: '', cols: [] };

  constructor(source: LineText, problems: InlineProblem[], inLinkText: boolean) {
    this.source = source;
    this.problems = problems;
    this.inLinkText = inLinkText;
    this.index = indexLine(source.text);
  }

  run(): InlineToken[] {
    const text = this.source.text;
    let i = 0;
    while (i < text.length) i = this.step(text, i);
    this.flush();
    return this.tokens;
  }

  /** Consumes the construct at `i`; returns the index after it. */
  private step(text: string, i: number): number {
    const ch = text[i] as string;
    if (ch === '\\') {
      const next = text[i + 1];
      // A trailing backslash is a markdown hard line break: nothing to say.
      if (next !== undefined) this.keep(ESCAPABLE.test(next) ? i + 1 : i, i + 2);
      return i + 2;
    }
    if (ch === '`') {
      const run = runEnd(text, i) - i;
      const close = this.index.closingBacktickRun(i, run);
      if (close < 0) this.keep(i, i + run);
      else this.keep(i + run, close);
      return close < 0 ? i + run : close + run;
    }
    if (ch === '*' || ch === '_' || ch === '~') {
      const end = runEnd(text, i);
      const isMarker = (ch !== '~' || end - i >= 2) && isEmphasisMarker(text[i - 1], text[end]);
      if (!isMarker) this.keep(i, end);
      return end;
    }
    if (!this.inLinkText && ch === '!' && this.index.linkAt(i + 1)) {
      this.problem(
        'warning',
        i,
        'markdown image ignored; use a stage direction like [image pictures/intro.png]',
      );
      return (this.index.linkAt(i + 1) as { end: number }).end;
    }
    if (!this.inLinkText && ch === '[') return this.bracket(i);
    this.keep(i, i + 1);
    return i + 1;
  }

  /** A `[` starts a link (its text is spoken) or a stage direction. */
  private bracket(at: number): number {
    const link = this.index.linkAt(at);
    if (link) {
      const inner = new InlineScanner(sliceLineText(this.source, at + 1, link.textEnd), this.problems, true);
      this.flush();
      this.tokens.push(...inner.run());
      return link.end;
    }
    const close = this.index.nextUnescaped(']', at + 1);
    if (close < 0) {
      this.problem(
        'error',
        at,
        'unclosed stage direction: "[" has no "]" on the same line (write \\[ for a literal bracket)',
      );
      this.keep(at, this.source.text.length);
      return this.source.text.length;
    }
    this.flush();
    const col = this.source.cols[at] as number;
    this.tokens.push({ kind: 'direction', content: this.source.text.slice(at + 1, close), col });
    return close + 1;
  }

  private keep(from: number, to: number): void {
    this.pending.text += this.source.text.slice(from, to);
    for (let k = from; k < to; k++) this.pending.cols.push(this.source.cols[k] as number);
  }

  private flush(): void {
    if (this.pending.text !== '') this.tokens.push({ kind: 'text', text: this.pending });
    this.pending = { text: '', cols: [] };
  }

  private problem(severity: InlineProblem['severity'], at: number, message: string): void {
    this.problems.push({ severity, col: this.source.cols[at] as number, message });
  }
}

function runEnd(text: string, at: number): number {
  let end = at;
  while (text[end] === text[at]) end++;
  return end;
}

/** Emphasis markers touch a word on one side; a lone `*` between spaces or inside a word is literal. */
function isEmphasisMarker(before: string | undefined, after: string | undefined): boolean {
  const spaceBefore = before === undefined || /\s/.test(before);
  const spaceAfter = after === undefined || /\s/.test(after);
  if (spaceBefore && spaceAfter) return false;
  const inWord =
    before !== undefined && after !== undefined && WORD_CHAR.test(before) && WORD_CHAR.test(after);
  return !inWord;
}

/**
 * Partner lookups for one line, computed once so scanning stays linear even for a hostile line
 * of thousands of brackets or backticks (a naive "search to the end" per bracket is quadratic).
 */
export interface PairIndex {
  /** `[text](url)` opening at `open`: where its text ends and where the link ends. */
  linkAt(open: number): { textEnd: number; end: number } | undefined;
  /** Next index of `ch` at or after `from`, skipping backslash escapes; -1 if none. */
  nextUnescaped(ch: string, from: number): number;
  /** Start of the next backtick run after `open` with exactly `length` backticks; -1 if none. */
  closingBacktickRun(open: number, length: number): number;
}

export function indexLine(text: string): PairIndex {
  const brackets = matchPairs(text, '[', ']');
  const parens = matchPairs(text, '(', ')');
  const nextClose = nextUnescapedTable(text, ']');
  const runs = backtickRuns(text);
  return {
    linkAt(open) {
      const textEnd = brackets.get(open);
      if (textEnd === undefined || text[textEnd + 1] !== '(') return undefined;
      const parenEnd = parens.get(textEnd + 1);
      return parenEnd === undefined ? undefined : { textEnd, end: parenEnd + 1 };
    },
    nextUnescaped(ch, from) {
      if (ch !== ']') throw new Error('only "]" is indexed');
      return from < nextClose.length ? (nextClose[from] as number) : -1;
    },
    closingBacktickRun(open, length) {
      const starts = runs.startsByLength.get(length) ?? [];
      const position = firstGreater(starts, open);
      return position < starts.length ? (starts[position] as number) : -1;
    },
  };
}

/** Opening index → matching closing index, with nesting, ignoring backslash-escaped characters. */
function matchPairs(text: string, open: string, close: string): Map<number, number> {
  const pairs = new Map<number, number>();
  const stack: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === open) stack.push(i);
    else if (c === close) {
      const start = stack.pop();
      if (start !== undefined) pairs.set(start, i);
    }
  }
  return pairs;
}

/** For each index, the next unescaped `ch` at or after it (-1 when none), built right to left. */
function nextUnescapedTable(text: string, ch: string): Int32Array {
  const escaped = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') escaped[++i] = 1;
  }
  const table = new Int32Array(text.length);
  let next = -1;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text[i] === ch && !escaped[i]) next = i;
    table[i] = next;
  }
  return table;
}

function backtickRuns(text: string): { startsByLength: Map<number, number[]> } {
  const startsByLength = new Map<number, number[]>();
  for (let i = text.indexOf('`'); i >= 0; i = text.indexOf('`', i)) {
    let end = i;
    while (text[end] === '`') end++;
    const list = startsByLength.get(end - i) ?? [];
    list.push(i);
    startsByLength.set(end - i, list);
    i = end;
  }
  return { startsByLength };
}

function firstGreater(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] as number) > value) high = mid;
    else low = mid + 1;
  }
  return low;
}

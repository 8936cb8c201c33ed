import { printable } from '../../shared/text.ts';

/** Where the CLI writes: results to stdout (pipeable), diagnostics and progress to stderr. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: live progress is drawn only then. */
  interactive: boolean;
}

/**
 * Set once whoever reads stdout has closed it (`vfo jobs list | head -1`): the rest of the output is
 * dropped and the command finishes, instead of dying of an unhandled EPIPE with a stack trace.
 */
let stdoutClosed = false;
let watchingStdout = false;

function writeOut(text: string): void {
  if (!watchingStdout) {
    watchingStdout = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      stdoutClosed = true;
    });
  }
  if (!stdoutClosed) process.stdout.write(text);
}

export const processIo: CliIo = {
  out: (text) => writeOut(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  interactive: Boolean(process.stderr.isTTY),
};

/**
 * Text from elsewhere (a job's error, another machine's reason) on stderr, line by line: each line made
 * printable, the breaks kept (a written script's errors came out as one line joined by `\u{a}`).
 */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/** Exit codes: 0 success, 1 a failure of the machine or a tool, 2 bad input or usage. */
export const EXIT = { ok: 0, failure: 1, invalid: 2, interrupted: 130 } as const;

/** A mistake in how vfo was called or in what it was given: exit 2, message only, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * JSON escapes C0 controls but leaves C1 ones (U+009B is a CSI terminals act on) and bidi overrides as
 * they are: written as \u escapes here, the same JSON to a program, nothing a terminal acts on.
 */
const JSON_UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export function printJson(io: CliIo, value: unknown): void {
  io.out(
    JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (char) =>
      // The layout's own line breaks stay (a string's are escaped already).
      char === '\n' ? char : `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
    ),
  );
}

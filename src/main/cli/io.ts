/** Where the CLI writes: results to stdout (pipeable), diagnostics and progress to stderr. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: live progress is drawn only then. */
  interactive: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  interactive: Boolean(process.stderr.isTTY),
};

/** Exit codes: 0 success, 1 a failure of the machine or a tool, 2 bad input or usage. */
export const EXIT = { ok: 0, failure: 1, invalid: 2, interrupted: 130 } as const;

/** A mistake in how vfo was called or in what it was given: exit 2, message only, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { PRIORITY_LIMIT } from '../../shared/contract.ts';
import { DATABASE_FILE } from '../db/open.ts';
import { MAX_ENCODE_THREADS } from '../ffmpeg/encode-types.ts';
import { UsageError } from './io.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  data: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/**
 * node:util parseArgs, with its errors turned into usage errors (exit 2, no stack trace).
 * `positionals: false`: a command that takes no arguments refuses one (`vfo doctor extra` ran as if
 * it had not been given).
 */
export function parseCommandArgs<O extends Options>(
  argv: string[],
  options: O,
  { positionals = true }: { positionals?: boolean } = {},
) {
  try {
    return parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: positionals,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/**
 * `--data` of a command that reads or tidies a data folder (jobs, gc): a mistyped path made a new,
 * empty one there, and `vfo jobs` listed no jobs as if there were none.
 */
export function existingDataArg(value: string | undefined): string | undefined {
  // A file there is refused as such when the data folder is opened.
  const found = value === undefined ? undefined : statSync(resolve(value), { throwIfNoEntry: false });
  if (value !== undefined && !found?.isFile() && !existsSync(join(resolve(value), DATABASE_FILE)))
    throw new UsageError(
      `--data ${value}: no data folder there (it has no ${DATABASE_FILE}); check the path`,
    );
  return value;
}

export function positiveInt(value: string | undefined, name: string, max = 1024): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
  return n;
}

/** `--threads N`: refused here past what an encode takes (it failed after the render, three times). */
export function threadsArg(value: string | undefined): number | undefined {
  return positiveInt(value, 'threads', MAX_ENCODE_THREADS);
}

/** `--priority N`: higher runs first on the farm; 0 when absent. */
export function priorityArg(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isInteger(n) || Math.abs(n) > PRIORITY_LIMIT)
    throw new UsageError(`--priority must be a whole number from -${PRIORITY_LIMIT} to ${PRIORITY_LIMIT}`);
  return n;
}

import type { Json } from '../db/schema.ts';
import { isDamaged } from '../db/sqlite-errors.ts';
import { DiskFullError, isDiskFull } from '../util/disk-room.ts';

/**
 * How a step failure should be treated. Handlers throw StepError to say so; anything else thrown is
 * treated as 'retryable' (a bug or a flaky tool deserves another attempt, a bad script does not).
 */
export type StepErrorKind = 'retryable' | 'fatal' | 'invalid-input' | 'cancelled';

export class StepError extends Error {
  readonly kind: StepErrorKind;
  /** What the failed attempt used all the same (the tokens Claude was paid for): kept on the step. */
  readonly metrics: Json | undefined;
  constructor(kind: StepErrorKind, message: string, options?: { cause?: unknown; metrics?: Json }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StepError';
    this.kind = kind;
    this.metrics = options?.metrics;
  }
}

export function errorKindOf(error: unknown): StepErrorKind {
  // Another attempt fills the same disk again (an encode that failed for room was made three times).
  if (localDiskFull(error) || isDamaged(error)) return 'fatal';
  if (error instanceof StepError) return error.kind;
  if (error instanceof Error && error.name === 'AbortError') return 'cancelled';
  const kind = (error as { kind?: unknown } | null)?.kind;
  if (kind === 'cancelled') return 'cancelled';
  return 'retryable';
}

/**
 * A full disk of this machine: reported by a tool or the system here, or the cause of a step's error
 * (the thumbnail step wraps ffmpeg's). A step's own words are not taken for one: they may quote another
 * machine's disk (a farm worker's) or a script's text (found by a review).
 */
function localDiskFull(error: unknown): boolean {
  if (error instanceof DiskFullError) return true;
  return error instanceof StepError ? isDiskFull(error.cause) : isDiskFull(error);
}

export function errorMessage(error: unknown): string {
  // A tool's own report of it is a dump of its output (ffmpeg's, a page long): said plainly instead.
  if (localDiskFull(error) && !(error instanceof DiskFullError))
    return 'no space is left on the disk: free some (vfo gc frees what finished jobs no longer need) and run again';
  return error instanceof Error ? error.message : String(error);
}

export function isRetryable(kind: StepErrorKind): boolean {
  return kind === 'retryable';
}

/** A job another live process runs now (claimJob): this one leaves it alone. */
export class JobBusyError extends Error {
  override name = 'JobBusyError';
  readonly owner: string;

  constructor(jobId: string, owner: string) {
    super(
      `job ${jobId.slice(0, 8)} is being run by another process (${owner}): wait for it, or stop it with vfo jobs cancel ${jobId.slice(0, 8)}`,
    );
    this.owner = owner;
  }
}

/** The abort reason when the process stops: a job interrupted this way resumes on the next start. */
export class ShutdownError extends StepError {
  constructor() {
    super('cancelled', 'the engine is shutting down');
    this.name = 'ShutdownError';
  }
}

/**
 * The abort reason when another process has taken the job over (this one was stopped past
 * JOB_SILENT_MS, and its job repaired as interrupted): the run stops, and writes nothing more.
 */
export class ClaimLostError extends StepError {
  constructor() {
    super('cancelled', 'another process took the job over');
    this.name = 'ClaimLostError';
  }
}

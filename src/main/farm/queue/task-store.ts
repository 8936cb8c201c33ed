/**
 * Where the coordinator's queue lives durably. The queue keeps its indexes in memory and writes every
 * state change through a store before applying it, so a restart reloads exactly what was promised.
 */
import type { JobFailureKey } from './job-blocks.ts';
import type { JobFailure, Task } from './types.ts';

export interface TaskChanges {
  /** Tasks to insert or replace, whole. */
  put?: readonly Task[];
  /** Task ids to forget. */
  remove?: readonly string[];
  /** Per-job failure counts to insert or replace (job-blocks.ts). */
  putFailures?: readonly JobFailure[];
  removeFailures?: readonly JobFailureKey[];
}

export interface TaskStore {
  /** Every stored task (any status). */
  loadAll(): Task[];
  /** Every stored per-job failure count. */
  loadFailures(): JobFailure[];
  /**
   * All of it or none of it: a crash never leaves one task changed and its sibling not, nor a failure
   * counted against a worker without the task that failed.
   */
  write(changes: TaskChanges): void;
}

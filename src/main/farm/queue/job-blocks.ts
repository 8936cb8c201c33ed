/**
 * The per-job worker blocklist (Flamenco's, in spirit): how many tasks of one job each worker failed.
 * A worker that fails `limit` tasks of a job is given no more of that job's tasks — the job's other
 * tasks go to the other workers — until an operator clears the entry or the job is retried. A task
 * is one encode; a bad worker (a broken encoder, a full disk) tends to fail every task of a job the
 * same way, so counting per job stops it burning the attempts of every task in turn.
 *
 * Pure bookkeeping: the queue decides what counts as a failure and writes the records through its
 * store before it applies them here.
 */
import type { JobFailure, Task } from './types.ts';

/** Longer worker messages are cut: they land in SQLite and on status pages. */
const MAX_ERROR_LENGTH = 500;

export const jobKeyOf = (originNodeId: string, jobId: string): string => `${originNodeId}\u0000${jobId}`;

export interface JobFailureKey {
  originNodeId: string;
  jobId: string;
  workerId: string;
}

export class JobBlocks {
  private readonly byJob = new Map<string, Map<string, JobFailure>>();

  constructor(initial: readonly JobFailure[] = []) {
    this.apply(initial);
  }

  /** The record `workerId` would have after failing one more task of `task`'s job (not applied). */
  counted(task: Task, workerId: string, reason: string, now: number): JobFailure {
    const previous = this.byJob.get(jobKeyOf(task.originNodeId, task.jobId))?.get(workerId);
    return {
      originNodeId: task.originNodeId,
      jobId: task.jobId,
      workerId,
      failures: (previous?.failures ?? 0) + 1,
      lastError: reason.length > MAX_ERROR_LENGTH ? `${reason.slice(0, MAX_ERROR_LENGTH)}…` : reason,
      updatedAt: now,
    };
  }

  apply(records: readonly JobFailure[]): void {
    for (const record of records) {
      const key = jobKeyOf(record.originNodeId, record.jobId);
      let workers = this.byJob.get(key);
      if (!workers) {
        workers = new Map();
        this.byJob.set(key, workers);
      }
      workers.set(record.workerId, { ...record });
    }
  }

  remove(keys: readonly JobFailureKey[]): void {
    for (const { originNodeId, jobId, workerId } of keys) {
      const key = jobKeyOf(originNodeId, jobId);
      const workers = this.byJob.get(key);
      workers?.delete(workerId);
      if (workers?.size === 0) this.byJob.delete(key);
    }
  }

  /** The records of one job (one worker, or all of them). */
  of(originNodeId: string, jobId: string, workerId?: string): JobFailure[] {
    const workers = this.byJob.get(jobKeyOf(originNodeId, jobId));
    if (!workers) return [];
    if (workerId === undefined) return [...workers.values()];
    const record = workers.get(workerId);
    return record ? [record] : [];
  }

  /** Workers that may not take this job's tasks; undefined when none (the common case, and cheap). */
  blockedFor(originNodeId: string, jobId: string, limit: number): ReadonlySet<string> | undefined {
    const workers = this.byJob.get(jobKeyOf(originNodeId, jobId));
    if (!workers) return undefined;
    let blocked: Set<string> | undefined;
    for (const record of workers.values()) {
      if (record.failures < limit) continue;
      blocked ??= new Set();
      blocked.add(record.workerId);
    }
    return blocked;
  }

  /** Keys of the jobs that have at least one blocked worker. */
  blockedJobs(limit: number): Set<string> {
    const keys = new Set<string>();
    for (const [key, workers] of this.byJob) {
      for (const record of workers.values()) if (record.failures >= limit) keys.add(key);
    }
    return keys;
  }

  /** Every record at or over the limit, newest first: what status shows. */
  blocked(limit: number): JobFailure[] {
    const list: JobFailure[] = [];
    for (const workers of this.byJob.values()) {
      for (const record of workers.values()) if (record.failures >= limit) list.push({ ...record });
    }
    return list.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** Records last changed before `before` (the coordinator's retention). */
  olderThan(before: number): JobFailureKey[] {
    const keys: JobFailureKey[] = [];
    for (const workers of this.byJob.values()) {
      for (const { originNodeId, jobId, workerId, updatedAt } of workers.values()) {
        if (updatedAt < before) keys.push({ originNodeId, jobId, workerId });
      }
    }
    return keys;
  }
}

/**
 * Every task state change as a pure function returning a new Task: the queue persists the new
 * object first and only then swaps it in, so memory never runs ahead of the store.
 */
import { QUEUE_VIEW_LIMITS } from '../../../shared/contract.ts';
import type { Lease, Task, TaskInput } from './types.ts';

/** Long worker error messages are cut: they land in SQLite and on status pages. */
const MAX_ERROR_LENGTH = QUEUE_VIEW_LIMITS.errorChars;

/**
 * How long a finished (done, failed or withdrawn) task stays in the queue. While it is there a
 * resubmission of it is answered "done" instead of encoding it again, which matters to an origin that
 * was away when its video finished (a Mac asleep over a long weekend); after a week it is only history,
 * and every task ever run would otherwise stay in memory and in `farm_tasks` for good. (coordinator.ts
 * prunes by it.) It is also the oldest a task may say it is: an origin's `createdAt` keeps a task's
 * place among equal priorities across coordinator changes, but any key holder could claim 1970 and go
 * first (found by attacking the farm).
 */
export const FINISHED_TASK_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * What an operator's cancel leaves as a task's reason: the coordinator's own words (a worker's always
 * start "worker <id>:"), which the origin takes as its job being cancelled rather than failed.
 */
const OPERATOR_CANCEL = 'cancelled by ';
export const operatorCancelReason = (operator: string): string => `${OPERATOR_CANCEL}${operator}`;
export const isOperatorCancel = (reason: string): boolean => reason.startsWith(OPERATOR_CANCEL);

/** Done or failed for good: no transition leads out of either (but a retry, or its origin's announcement). */
export const isFinished = (task: Task): boolean => task.status === 'done' || task.status === 'failed';

/** Unfinished tasks per origin: what MAX_UNFINISHED_PER_ORIGIN bounds (farm-queue.ts, rebuild.ts). */
export function unfinishedByOrigin(tasks: Iterable<Task>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const task of tasks)
    if (!isFinished(task)) counts.set(task.originNodeId, (counts.get(task.originNodeId) ?? 0) + 1);
  return counts;
}

export function newTask(input: TaskInput, now: number): Task {
  return {
    id: input.id,
    originNodeId: input.originNodeId,
    originUrl: input.originUrl,
    jobId: input.jobId,
    priority: input.priority,
    // Never from the future, never older than a week.
    createdAt: Math.min(now, Math.max(now - FINISHED_TASK_RETENTION_MS, input.createdAt ?? now)),
    plan: input.plan,
    requirements: { encoders: [...new Set(input.requirements.encoders)] },
    status: 'queued',
    attempts: 0,
    failuresByWorker: {},
    updatedAt: now,
  };
}

export function withLease(task: Task, lease: Lease, now: number): Task {
  return { ...withoutLease(task), status: 'leased', lease, updatedAt: now };
}

export function requeued(task: Task, now: number): Task {
  return { ...withoutLease(task), status: 'queued', updatedAt: now };
}

export function completed(task: Task, leaseId: string, now: number): Task {
  const next: Task = {
    ...withoutLease(task),
    status: 'done',
    completedLeaseId: leaseId,
    finishedAt: now,
    updatedAt: now,
  };
  delete next.lastError;
  return next;
}

export function failedForGood(task: Task, reason: string, now: number): Task {
  return {
    ...withoutLease(task),
    status: 'failed',
    lastError: truncate(reason),
    finishedAt: now,
    updatedAt: now,
  };
}

export interface LostLease {
  reason: string;
  /** Failures and expiries count against the worker (a crash looks like an expiry); removals do not. */
  countAgainstWorker: boolean;
}

/**
 * A lease ended without a result: one more attempt spent. The task goes back to the queue (its next
 * lease gets a new id, which is what fences the old one out) unless it has used up its attempts.
 */
export function afterLostLease(task: Task, loss: LostLease, maxAttempts: number, now: number): Task {
  const workerId = task.lease?.workerId;
  const failuresByWorker = { ...task.failuresByWorker };
  if (loss.countAgainstWorker && workerId !== undefined) {
    failuresByWorker[workerId] = (failuresByWorker[workerId] ?? 0) + 1;
  }
  const attempts = task.attempts + 1;
  const counted: Task = { ...task, attempts, failuresByWorker, lastError: truncate(loss.reason) };
  if (attempts >= maxAttempts) {
    return failedForGood(counted, `gave up after ${attempts} attempts; last: ${loss.reason}`, now);
  }
  return requeued(counted, now);
}

/** A failed or done task put back in the queue on its origin's explicit request, with a clean slate. */
export function retried(task: Task, now: number): Task {
  const next: Task = { ...requeued(task, now), attempts: 0, failuresByWorker: {} };
  delete next.lastError;
  delete next.completedLeaseId;
  delete next.finishedAt;
  return next;
}

function withoutLease(task: Task): Task {
  const copy = { ...task };
  delete copy.lease;
  return copy;
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

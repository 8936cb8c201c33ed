/**
 * How a lease ends: a result (complete), a failure, an expiry, or its worker's removal. Fencing lives
 * here: every ending is looked up by the task's CURRENT lease id, so a lease that was requeued and
 * re-granted can no longer complete or fail anything.
 */
import { createLogger } from '../../log/logger.ts';
import type { QueueContext } from './context.ts';
import { afterLostLease, completed, failedForGood, requeued } from './task-transitions.ts';
import type { CompleteResult, FailResult, Lease, Task, WithdrawResult } from './types.ts';

const log = createLogger('FarmQueue');

export function completeLease(ctx: QueueContext, leaseId: string, now: number): CompleteResult {
  const task = ctx.state.byLease(leaseId);
  if (!task?.lease) {
    // The origin may repeat a completion whose answer it lost: same lease, same verdict.
    if (ctx.state.byCompletedLease(leaseId)) return 'accepted';
    log.info('stale completion refused', { lease: leaseId });
    return 'stale';
  }
  const workerId = task.lease.workerId;
  ctx.state.commit([completed(task, leaseId, now)]);
  releaseSlot(ctx, workerId);
  log.debug('task done', { task: task.id, lease: leaseId, worker: workerId });
  return 'accepted';
}

export function failLease(
  ctx: QueueContext,
  leaseId: string,
  reason: string,
  retryable: boolean,
  now: number,
): FailResult {
  const task = ctx.state.byLease(leaseId);
  if (!task?.lease) return 'stale';
  const workerId = task.lease.workerId;
  const next = retryable
    ? afterLostLease(task, { reason, countAgainstWorker: true }, ctx.config.maxAttempts, now)
    : failedForGood(task, reason, now);
  ctx.state.commit([next]);
  releaseSlot(ctx, workerId);
  logLoss('lease failed', task.lease, next);
  return next.status === 'queued' ? 'requeued' : 'failed';
}

/**
 * The origin no longer wants the task (its job was cancelled, its split dropped): a queued task is not
 * leased any more, a leased one loses its lease — the worker's next heartbeat tells it to stop — and
 * the task ends as failed, so a later submission from the same origin retries it. Only the origin may.
 */
export function withdrawTask(
  ctx: QueueContext,
  taskId: string,
  originNodeId: string,
  now: number,
): WithdrawResult {
  const task = ctx.state.get(taskId);
  if (!task) return 'unknown';
  if (task.originNodeId !== originNodeId) return 'refused';
  return endTask(ctx, task, 'withdrawn by its origin', now);
}

/** An operator cancels a task from the Farm view or `vfo farm`: like a withdrawal, by someone else. */
export function cancelTask(ctx: QueueContext, taskId: string, operator: string, now: number): WithdrawResult {
  const task = ctx.state.get(taskId);
  if (!task) return 'unknown';
  return endTask(ctx, task, `cancelled by ${operator}`, now);
}

function endTask(ctx: QueueContext, task: Task, reason: string, now: number): WithdrawResult {
  if (task.status === 'done' || task.status === 'failed') return 'finished';
  ctx.state.commit([failedForGood(task, reason, now)]);
  if (task.lease) releaseSlot(ctx, task.lease.workerId);
  log.info('task ended before its result', {
    task: task.id,
    reason,
    lease: task.lease?.id,
    worker: task.lease?.workerId,
  });
  return 'withdrawn';
}

/**
 * The worker refused the offer (no free slot: it was still uploading its last result). Not a failure:
 * the task goes back to the queue without an attempt counted, and the worker is offered nothing more
 * until its next heartbeat says how many slots it really has.
 */
export function returnLease(ctx: QueueContext, leaseId: string, now: number): boolean {
  const task = ctx.state.byLease(leaseId);
  if (!task?.lease) return false;
  const workerId = task.lease.workerId;
  ctx.state.commit([requeued(task, now)]);
  const record = ctx.workers.get(workerId);
  if (record) record.freeSlots = 0;
  log.info('offer refused by a busy worker; task requeued without an attempt', {
    task: task.id,
    worker: workerId,
  });
  return true;
}

/** Leases not renewed for the lease timeout go back to the queue (or fail, out of attempts). */
export function expireLeases(ctx: QueueContext, now: number): Lease[] {
  ctx.pending.expire(now);
  const expired = ctx.state.leasedTasks().filter((task) => (task.lease as Lease).expiresAt <= now);
  if (expired.length === 0) return [];
  const { leaseTimeoutMs, maxAttempts } = ctx.config;
  const next = expired.map((task) => {
    const reason = `lease expired: worker ${task.lease?.workerId} did not renew it for ${leaseTimeoutMs} ms`;
    // Counted against the worker: a worker that crashes on a task looks exactly like this.
    return afterLostLease(task, { reason, countAgainstWorker: true }, maxAttempts, now);
  });
  ctx.state.commit(next);
  for (const [i, task] of expired.entries()) logLoss('lease expired', task.lease as Lease, next[i] as Task);
  return expired.map((task) => task.lease as Lease);
}

/** The worker is gone: requeue its leases now rather than wait for them to expire. */
export function requeueLeasesOf(ctx: QueueContext, workerId: string, now: number): Lease[] {
  const held = ctx.state.leasesOf(workerId).flatMap((id) => ctx.state.byLease(id) ?? []);
  const reason = `worker ${workerId} was removed`;
  const next = held.map((task) =>
    afterLostLease(task, { reason, countAgainstWorker: false }, ctx.config.maxAttempts, now),
  );
  ctx.state.commit(next);
  return held.map((task) => task.lease as Lease);
}

/** A result or failure came back: the worker's slot is free now, not at its next heartbeat. */
function releaseSlot(ctx: QueueContext, workerId: string): void {
  const record = ctx.workers.get(workerId);
  if (record) ctx.workers.released(record);
}

function logLoss(message: string, lease: Lease, next: Task): void {
  const fields = {
    task: next.id,
    lease: lease.id,
    worker: lease.workerId,
    attempts: next.attempts,
    reason: next.lastError,
  };
  if (next.status === 'failed') log.warn(`${message}; task failed for good`, fields);
  else log.info(`${message}; task requeued`, fields);
}

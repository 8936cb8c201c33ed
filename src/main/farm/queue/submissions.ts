/**
 * Tasks entering the queue: idempotent submission by task id ("no video is produced twice": a done task
 * stays done) and the explicit retry of a finished task.
 */
import type { QueueContext } from './context.ts';
import { newTask, retried, withLease } from './task-transitions.ts';
import type { Task, TaskInput } from './types.ts';

export function submitTask(ctx: QueueContext, input: TaskInput, now: number): Task {
  const { state, pending } = ctx;
  const known = state.get(input.id);
  if (known) {
    if (known.status === 'done' || known.status === 'failed' || known.originUrl === input.originUrl)
      return known;
    // The origin restarted on another address: results must go to the new one.
    const moved = { ...known, originUrl: input.originUrl, updatedAt: now };
    state.commit([moved]);
    return moved;
  }
  let task = newTask(input, now);
  const held = pending.forTask(task.id);
  if (held) {
    // A worker announced this task's lease before its origin submitted it again: keep that encode.
    const { leaseId: id, taskId, workerId, expiresAt } = held;
    task = withLease(task, { id, taskId, workerId, grantedAt: now, renewedAt: now, expiresAt }, now);
  }
  state.commit([task]);
  if (held) pending.delete(held.leaseId);
  return task;
}

/** Failed or done → queued with a clean slate; anything else is returned unchanged. */
export function retryTask(ctx: QueueContext, taskId: string, now: number): Task | undefined {
  const task = ctx.state.get(taskId);
  if (!task || (task.status !== 'failed' && task.status !== 'done')) return task;
  const next = retried(task, now);
  ctx.state.commit([next]);
  return next;
}

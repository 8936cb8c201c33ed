/**
 * Turning a scheduling plan into leases: new random lease ids, one store transaction for the whole
 * batch, and only then the in-memory indexes and free-slot estimates.
 */
import type { QueueContext } from './context.ts';
import { planAssignments } from './scheduler.ts';
import { withLease } from './task-transitions.ts';
import type { Assignment, Lease, WorkerState } from './types.ts';
import type { WorkerRecord } from './worker-registry.ts';

export function grantLeases(ctx: QueueContext, newLeaseId: () => string, now: number): Assignment[] {
  const { state, workers, config } = ctx;
  if (state.queued.size === 0) return [];
  const candidates = workers.candidates((id) => state.runningOf(id), now);
  if (candidates.length === 0) return [];
  const plan = planAssignments(state.queued, candidates, [...workers.all()], config);
  if (plan.length === 0) return [];
  const expiresAt = now + config.leaseTimeoutMs;
  const leased = plan.map(({ task, workerId }) => {
    const lease: Lease = {
      id: newLeaseId(),
      taskId: task.id,
      workerId,
      grantedAt: now,
      renewedAt: now,
      expiresAt,
    };
    return withLease(task, lease, now);
  });
  try {
    state.commit(leased);
  } catch (error) {
    // Nothing was granted: put the planned tasks back where the scheduler took them from.
    for (const { task } of plan) state.queued.add(task);
    throw error;
  }
  for (const { workerId } of plan) {
    const record = workers.get(workerId);
    if (record) workers.granted(record);
  }
  return leased.map((task) => {
    const lease = task.lease as Lease;
    return { lease, task, worker: workerStateOf(ctx, workers.get(lease.workerId) as WorkerRecord) };
  });
}

export function workerStateOf(ctx: QueueContext, record: WorkerRecord): WorkerState {
  return {
    id: record.id,
    url: record.url,
    encoders: [...record.encoders],
    maxConcurrency: record.maxConcurrency,
    freeSlots: record.freeSlots,
    running: ctx.state.leasesOf(record.id),
    paused: record.paused,
    draining: record.draining,
    lastHeartbeat: record.lastHeartbeat,
  };
}

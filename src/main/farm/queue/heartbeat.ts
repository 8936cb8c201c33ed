/**
 * A worker's heartbeat: renews the leases it lists that are its own, reports back the ones it should
 * stop (requeued and re-granted, finished, or never known here), and refreshes its free-slot estimate.
 */
import { createLogger } from '../../log/logger.ts';
import type { QueueContext } from './context.ts';
import type { HeartbeatReply, HeartbeatReport, Lease } from './types.ts';

const log = createLogger('FarmQueue');

export function applyHeartbeat(
  ctx: QueueContext,
  workerId: string,
  report: HeartbeatReport,
  now: number,
): HeartbeatReply {
  const record = ctx.workers.get(workerId);
  // Unknown worker (typically: this coordinator is new): cancel nothing, ask it to register and announce.
  if (!record) return { cancel: [], unknownWorker: true };
  const expiresAt = now + ctx.config.leaseTimeoutMs;
  const cancel: string[] = [];
  const listed = new Set<string>();
  for (const { leaseId, progress } of report.leases) {
    const task = ctx.state.byLease(leaseId);
    if (task?.lease && task.lease.workerId === workerId) {
      const lease: Lease = { ...task.lease, renewedAt: now, expiresAt };
      if (progress !== undefined) lease.progress = progress;
      ctx.state.renew(task, { ...task, lease });
      listed.add(leaseId);
    } else if (!ctx.pending.renew(leaseId, workerId, expiresAt)) {
      cancel.push(leaseId);
    }
  }
  const unacknowledged = ctx.state.leasesOf(workerId).filter((id) => !listed.has(id)).length;
  ctx.workers.heard(record, report.freeSlots, unacknowledged, now);
  if (cancel.length > 0) log.info('worker runs leases that are not its own', { worker: workerId, cancel });
  return { cancel, unknownWorker: false };
}

/**
 * Leases a worker announced to a new coordinator before any origin announced their task. Nodes
 * announce independently, so the worker often comes first: rather than cancel a running encode, the
 * queue holds its lease for one lease timeout (heartbeats keep it alive) and attaches it when the
 * task arrives. If no origin claims the task by then, the worker's next heartbeat cancels it.
 */
import type { AnnouncedLease } from './types.ts';

export interface PendingLease extends AnnouncedLease {
  expiresAt: number;
}

export class PendingLeases {
  private readonly byLease = new Map<string, PendingLease>();
  private readonly byTask = new Map<string, string>();

  get size(): number {
    return this.byLease.size;
  }

  /** The first lease announced for a task wins; a second one for the same task is refused. */
  add(lease: AnnouncedLease, expiresAt: number): boolean {
    const holder = this.byTask.get(lease.taskId);
    if (holder !== undefined && holder !== lease.leaseId) return false;
    this.byLease.set(lease.leaseId, { ...lease, expiresAt });
    this.byTask.set(lease.taskId, lease.leaseId);
    return true;
  }

  renew(leaseId: string, workerId: string, expiresAt: number): boolean {
    const pending = this.byLease.get(leaseId);
    if (!pending || pending.workerId !== workerId) return false;
    pending.expiresAt = expiresAt;
    return true;
  }

  forTask(taskId: string): PendingLease | undefined {
    const leaseId = this.byTask.get(taskId);
    return leaseId === undefined ? undefined : this.byLease.get(leaseId);
  }

  delete(leaseId: string): void {
    const pending = this.byLease.get(leaseId);
    if (!pending) return;
    this.byLease.delete(leaseId);
    this.byTask.delete(pending.taskId);
  }

  expire(now: number): void {
    for (const pending of [...this.byLease.values()])
      if (pending.expiresAt <= now) this.delete(pending.leaseId);
  }

  removeWorker(workerId: string): void {
    for (const pending of [...this.byLease.values()])
      if (pending.workerId === workerId) this.delete(pending.leaseId);
  }
}

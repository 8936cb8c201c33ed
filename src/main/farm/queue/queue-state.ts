/**
 * The queue's tasks and their indexes (queued heaps, lease → task, worker → leases, counts), kept in
 * step with the store: `commit` writes first and updates memory only once the write succeeded.
 */
import { QueuedTaskIndex } from './queued-index.ts';
import type { TaskStore } from './task-store.ts';
import type { Task, TaskStatus } from './types.ts';

export class QueueState {
  readonly queued = new QueuedTaskIndex();
  private readonly tasks = new Map<string, Task>();
  private readonly leaseToTask = new Map<string, string>();
  private readonly completedLeaseToTask = new Map<string, string>();
  private readonly leasesByWorker = new Map<string, Set<string>>();
  private readonly counts: Record<TaskStatus, number> = { queued: 0, leased: 0, done: 0, failed: 0 };
  private readonly store: TaskStore;

  constructor(store: TaskStore) {
    this.store = store;
  }

  /** Index tasks that are already stored (start-up). */
  load(tasks: readonly Task[]): void {
    for (const task of tasks) this.apply(task);
  }

  commit(put: readonly Task[], remove: readonly string[] = []): void {
    if (put.length === 0 && remove.length === 0) return;
    this.store.write({ put, remove });
    for (const task of put) this.apply(task);
    for (const id of remove) {
      const previous = this.tasks.get(id);
      if (!previous) continue;
      this.unindex(previous);
      this.tasks.delete(id);
    }
  }

  /** Swap in a renewed lease (same id, same status): memory only, renewals are not persisted. */
  renew(task: Task, next: Task): void {
    if (task.lease?.id !== next.lease?.id || task.status !== next.status) {
      throw new Error(`renew may not change task ${task.id}'s lease or status`);
    }
    this.tasks.set(next.id, next);
  }

  get(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  all(): IterableIterator<Task> {
    return this.tasks.values();
  }

  /** The task whose CURRENT lease this is; a stale lease id finds nothing. */
  byLease(leaseId: string): Task | undefined {
    const taskId = this.leaseToTask.get(leaseId);
    return taskId === undefined ? undefined : this.tasks.get(taskId);
  }

  byCompletedLease(leaseId: string): Task | undefined {
    const taskId = this.completedLeaseToTask.get(leaseId);
    return taskId === undefined ? undefined : this.tasks.get(taskId);
  }

  leasedTasks(): Task[] {
    const list: Task[] = [];
    for (const taskId of this.leaseToTask.values()) {
      const task = this.tasks.get(taskId);
      if (task) list.push(task);
    }
    return list;
  }

  leasesOf(workerId: string): string[] {
    return [...(this.leasesByWorker.get(workerId) ?? [])];
  }

  runningOf(workerId: string): number {
    return this.leasesByWorker.get(workerId)?.size ?? 0;
  }

  count(status: TaskStatus): number {
    return this.counts[status];
  }

  private apply(next: Task): void {
    const previous = this.tasks.get(next.id);
    if (previous) this.unindex(previous);
    this.tasks.set(next.id, next);
    this.counts[next.status]++;
    if (next.status === 'queued') this.queued.add(next);
    if (next.status === 'done' && next.completedLeaseId)
      this.completedLeaseToTask.set(next.completedLeaseId, next.id);
    if (next.lease) {
      this.leaseToTask.set(next.lease.id, next.id);
      let leases = this.leasesByWorker.get(next.lease.workerId);
      if (!leases) {
        leases = new Set();
        this.leasesByWorker.set(next.lease.workerId, leases);
      }
      leases.add(next.lease.id);
    }
  }

  private unindex(task: Task): void {
    this.counts[task.status]--;
    if (task.status === 'queued') this.queued.remove(task.id);
    if (task.completedLeaseId) this.completedLeaseToTask.delete(task.completedLeaseId);
    if (task.lease) {
      this.leaseToTask.delete(task.lease.id);
      const leases = this.leasesByWorker.get(task.lease.workerId);
      leases?.delete(task.lease.id);
      if (leases?.size === 0) this.leasesByWorker.delete(task.lease.workerId);
    }
  }
}

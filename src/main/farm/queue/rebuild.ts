/**
 * Rebuilding the queue from what the nodes announce after a coordinator change. Origins announce their
 * unfinished tasks, workers the leases they are running. The announcements are the truth: an announced
 * lease is kept (renewed now) so its encode is not thrown away, every other announced task is queued,
 * and duplicates (two origins, or one announcing twice) are merged by task id.
 *
 * `replace` (the start of a term) also forgets unfinished tasks nobody announced: they were finished
 * under another coordinator or their origin is gone, and their result could go nowhere. Done tasks are
 * history and stay as they are, so a done task is never run again; a failed task its origin announces
 * runs again (its origin still waits for it), as a resubmission does.
 */
import { isFinished, newTask, requeued, retried, unfinishedByOrigin, withLease } from './task-transitions.ts';
import type { AnnouncedLease, Announcement, Lease, RebuildResult, Task, TaskInput } from './types.ts';

export interface RebuildOptions {
  now: number;
  leaseTimeoutMs: number;
  replace: boolean;
  /**
   * Whether a lease the queue does not hold is taken on: only early in a term (farm-queue.ts
   * `beginTerm`), when workers announce the leases the last coordinator granted. Later, any key holder could
   * announce a lease on another origin's queued task and hold it outside the scheduler.
   */
  adoptLeases: boolean;
  /** New tasks an origin's announcement may add past what it has unfinished here (farm-queue.ts). */
  maxUnfinishedPerOrigin: number;
}

export interface RebuildPlan {
  put: Task[];
  remove: string[];
  /** Leases whose task nobody announced yet. */
  toPend: AnnouncedLease[];
  /** Pending leases resolved by this rebuild (attached or refused). */
  resolvedPending: string[];
  result: RebuildResult;
}

/**
 * Pure: what the queue's tasks become. `known` is the queue's tasks now; `pendingOf` finds the lease held
 * for a task nobody had announced yet (see farm-queue.ts).
 */
export function planRebuild(
  known: ReadonlyMap<string, Task>,
  pendingOf: (taskId: string) => AnnouncedLease | undefined,
  announcements: readonly Announcement[],
  options: RebuildOptions,
): RebuildPlan {
  const { now, replace } = options;
  const inputs = mergeTaskInputs(announcements);
  const next = new Map<string, Task>();
  const unfinished = unfinishedByOrigin(known.values());
  const hasRoom = (origin: string): boolean => {
    const count = unfinished.get(origin) ?? 0;
    if (count >= options.maxUnfinishedPerOrigin) return false;
    unfinished.set(origin, count + 1);
    return true;
  };
  for (const input of inputs.values()) {
    const task = known.get(input.id);
    if (!task) {
      if (hasRoom(input.originNodeId)) next.set(input.id, newTask(input, now));
    }
    // A task id is its origin's: another node announcing it moves nothing (not even its address).
    else if (task.originNodeId !== input.originNodeId) continue;
    // Its origin still waits for it: the notice that it failed was lost (a partition), or the job was
    // retried and its submission lost. Run again, as a resubmission is (its job hung for good).
    else if (task.status === 'failed') {
      if (hasRoom(input.originNodeId))
        next.set(input.id, retried({ ...task, originUrl: input.originUrl, priority: input.priority }, now));
    } else if (isFinished(task)) continue;
    // Keep the attempt history; refresh the origin's address (it may have restarted on another port).
    // The priority too: the origin may have changed it while no coordinator heard (the app's control).
    else if (replace)
      next.set(input.id, requeued({ ...task, originUrl: input.originUrl, priority: input.priority }, now));
    else if (task.originUrl !== input.originUrl)
      next.set(input.id, { ...task, originUrl: input.originUrl, updatedAt: now });
  }
  const remove: string[] = [];
  if (replace) {
    for (const task of known.values()) if (!isFinished(task) && !inputs.has(task.id)) remove.push(task.id);
  }
  const removed = new Set(remove);
  const current = (id: string) => next.get(id) ?? (removed.has(id) ? undefined : known.get(id));

  const result: RebuildResult = {
    tasks: 0,
    leasesKept: 0,
    leasesPending: 0,
    leasesRefused: 0,
    dropped: remove.length,
  };
  const toPend: AnnouncedLease[] = [];
  const pendTasks = new Set<string>();
  const attach = (lease: AnnouncedLease, adopt: boolean): 'kept' | 'refused' | 'pending' => {
    const task = current(lease.taskId);
    if (!task) return adopt ? 'pending' : 'refused';
    // Fencing: a finished task, or one already held under another lease, refuses this lease.
    if (isFinished(task) || (task.status === 'leased' && task.lease?.id !== lease.leaseId)) return 'refused';
    if (!adopt && task.lease?.id !== lease.leaseId) return 'refused';
    const kept: Lease = {
      id: lease.leaseId,
      taskId: lease.taskId,
      workerId: lease.workerId,
      grantedAt: task.lease?.grantedAt ?? now,
      renewedAt: now,
      expiresAt: now + options.leaseTimeoutMs,
    };
    next.set(task.id, withLease(task, kept, now));
    return 'kept';
  };

  for (const announcement of announcements) {
    const { leases, foreign } = ownLeases(announcement);
    result.leasesRefused += foreign;
    for (const lease of leases) {
      const outcome = attach(lease, options.adoptLeases);
      if (outcome === 'pending') {
        const holder = pendingOf(lease.taskId);
        if (pendTasks.has(lease.taskId) || (holder && holder.leaseId !== lease.leaseId)) {
          result.leasesRefused++;
          continue;
        }
        pendTasks.add(lease.taskId);
        toPend.push(lease);
        result.leasesPending++;
      } else if (outcome === 'kept') result.leasesKept++;
      else result.leasesRefused++;
    }
  }

  // Leases announced earlier, whose task has now been announced.
  const resolvedPending: string[] = [];
  for (const id of inputs.keys()) {
    const held = pendingOf(id);
    if (!held) continue;
    resolvedPending.push(held.leaseId);
    // Held since it was announced in the term's first lease timeout.
    if (attach(held, true) === 'kept') result.leasesKept++;
    else result.leasesRefused++;
  }

  const put = [...next.values()];
  for (const task of known.values())
    if (!isFinished(task) && !removed.has(task.id) && !next.has(task.id)) result.tasks++;
  result.tasks += put.filter((task) => !isFinished(task)).length;
  return { put, remove, toPend, resolvedPending, result };
}

/** A node speaks only for its own leases (others are refused); one lease id counts once. */
function ownLeases(announcement: Announcement): { leases: AnnouncedLease[]; foreign: number } {
  const seen = new Set<string>();
  const leases: AnnouncedLease[] = [];
  let foreign = 0;
  for (const lease of announcement.leases ?? []) {
    if (lease.workerId !== announcement.nodeId) foreign++;
    else if (!seen.has(lease.leaseId)) {
      seen.add(lease.leaseId);
      leases.push(lease);
    }
  }
  return { leases, foreign };
}

/** Duplicates keep the highest priority and the earliest creation time (the task's true age). */
function mergeTaskInputs(announcements: readonly Announcement[]): Map<string, TaskInput> {
  const merged = new Map<string, TaskInput>();
  for (const announcement of announcements) {
    for (const input of announcement.tasks ?? []) {
      const seen = merged.get(input.id);
      if (!seen) {
        merged.set(input.id, input);
        continue;
      }
      const createdAt = Math.min(
        seen.createdAt ?? Number.POSITIVE_INFINITY,
        input.createdAt ?? Number.POSITIVE_INFINITY,
      );
      merged.set(input.id, {
        ...seen,
        priority: Math.max(seen.priority, input.priority),
        ...(Number.isFinite(createdAt) ? { createdAt } : {}),
      });
    }
  }
  return merged;
}

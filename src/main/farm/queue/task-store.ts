/**
 * Where the coordinator's queue lives durably. The queue keeps its indexes in memory and writes every
 * state change through a store before applying it, so a restart reloads exactly what was promised.
 */
import type { Task } from './types.ts';

export interface TaskChanges {
  /** Tasks to insert or replace, whole. */
  put?: readonly Task[];
  /** Task ids to forget. */
  remove?: readonly string[];
}

export interface TaskStore {
  /** Every stored task (any status). */
  loadAll(): Task[];
  /** All of it or none of it: a crash never leaves one task changed and its sibling not. */
  write(changes: TaskChanges): void;
}

/** For tests and the bench: same contract, nothing survives the process. */
export function createMemoryTaskStore(initial: readonly Task[] = []): TaskStore & { readonly size: number } {
  const rows = new Map<string, Task>();
  for (const task of initial) rows.set(task.id, copyTask(task));
  return {
    get size() {
      return rows.size;
    },
    loadAll: () => [...rows.values()].map(copyTask),
    write(changes) {
      // Copies, so a caller mutating its object later cannot change what was "stored".
      for (const task of changes.put ?? []) rows.set(task.id, copyTask(task));
      for (const id of changes.remove ?? []) rows.delete(id);
    },
  };
}

/** The plan is shared, not cloned: it is opaque and never mutated, and can be large. */
function copyTask(task: Task): Task {
  const copy: Task = { ...task, failuresByWorker: { ...task.failuresByWorker } };
  if (task.lease) copy.lease = { ...task.lease };
  return copy;
}

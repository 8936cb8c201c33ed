import type { JobFailureKey } from './job-blocks.ts';
import type { TaskStore } from './task-store.ts';
import type { JobFailure, Task } from './types.ts';

/** For tests and the bench: same contract, nothing survives the process. */
export function createMemoryTaskStore(initial: readonly Task[] = []): TaskStore & { readonly size: number } {
  const rows = new Map<string, Task>();
  const failures = new Map<string, JobFailure>();
  const failureKey = (k: JobFailureKey) => `${k.originNodeId}\u0000${k.jobId}\u0000${k.workerId}`;
  for (const task of initial) rows.set(task.id, copyTask(task));
  return {
    get size() {
      return rows.size;
    },
    loadAll: () => [...rows.values()].map(copyTask),
    loadFailures: () => [...failures.values()].map((f) => ({ ...f })),
    write(changes) {
      // Copies, so a caller mutating its object later cannot change what was "stored".
      for (const task of changes.put ?? []) rows.set(task.id, copyTask(task));
      for (const id of changes.remove ?? []) rows.delete(id);
      for (const failure of changes.putFailures ?? []) failures.set(failureKey(failure), { ...failure });
      for (const key of changes.removeFailures ?? []) failures.delete(failureKey(key));
    },
  };
}

/** The plan is shared, not cloned: it is opaque and never mutated, and can be large. */
function copyTask(task: Task): Task {
  const copy: Task = { ...task, failuresByWorker: { ...task.failuresByWorker } };
  if (task.lease) copy.lease = { ...task.lease };
  return copy;
}

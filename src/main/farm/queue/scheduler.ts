/**
 * One scheduling pass: which queued task goes to which worker. Pure (no clock, no store): it pops the
 * tasks it places from the index and returns the plan; the queue turns the plan into leases.
 *
 * Order: the first task of the best requirement group (priority, then age) goes to the best worker
 * that can take it — capable (an encoder in common), with a free slot, not blocked for the task's job
 * (job-blocks.ts: it failed too many of the job's tasks) — best meaning most free slots, then fewest
 * leases, then lowest id. Workers sit in one
 * heap per encoder, so a pass costs O(W log W + placed × (groups + log W + log T)) instead of
 * walking every task against every worker.
 */
import { Heap } from './heap.ts';
import { compareTasks, encodersOfKey, type QueuedTaskIndex } from './queued-index.ts';
import type { Task } from './types.ts';

/** A worker that may take new leases now, with its room as the queue estimates it. */
export interface Candidate {
  id: string;
  encoders: readonly string[];
  /** Leases it can still take: min(free slots, maxConcurrency − running). */
  capacity: number;
  running: number;
}

export interface PlannedAssignment {
  task: Task;
  workerId: string;
}

export interface PlanOptions {
  /** Workers blocked for this task's job: never given it, whatever else is free. */
  blockedFor?: (task: Task) => ReadonlySet<string> | undefined;
}

const ANY = '\u0000any';
const NONE: ReadonlySet<string> = new Set();

/**
 * A heap entry keeps a snapshot of its worker's standing: a heap's order must never change under it.
 * When the worker takes a lease its version moves on and this entry is skipped as stale.
 */
interface Slot extends Candidate {
  worker: MutableCandidate;
  version: number;
}

interface MutableCandidate extends Candidate {
  version: number;
}

/** Most room first, then fewest leases, then id: spreads work and stays deterministic. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.capacity !== b.capacity) return b.capacity - a.capacity;
  if (a.running !== b.running) return a.running - b.running;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function isCapable(encoders: readonly string[], required: readonly string[]): boolean {
  return required.length === 0 || required.some((encoder) => encoders.includes(encoder));
}

export function planAssignments(
  index: QueuedTaskIndex,
  candidates: readonly Candidate[],
  options: PlanOptions = {},
): PlannedAssignment[] {
  const pool = new WorkerPool(candidates);
  const planned: PlannedAssignment[] = [];
  const deferred: Task[] = [];
  const live = new Set(index.groupKeys());
  while (live.size > 0 && pool.hasRoom()) {
    let bestKey: string | undefined;
    let bestTask: Task | undefined;
    for (const key of live) {
      const head = index.peek(key);
      if (!head) live.delete(key);
      else if (!bestTask || compareTasks(head, bestTask) < 0) {
        bestKey = key;
        bestTask = head;
      }
    }
    if (bestKey === undefined || !bestTask) break;
    const required = encodersOfKey(bestKey);
    if (!pool.anyRoomFor(required)) {
      // No free capable worker for this requirement set: none of its tasks can be placed this pass.
      live.delete(bestKey);
      continue;
    }
    index.pop(bestKey);
    // A blocked worker never gets the job's tasks; a job only blocked workers could run is failed
    // by the queue (farm-queue.ts), it does not wait here for ever.
    const worker = pool.best(required, options.blockedFor?.(bestTask) ?? NONE);
    if (!worker) {
      deferred.push(bestTask);
      continue;
    }
    pool.take(worker);
    planned.push({ task: bestTask, workerId: worker.id });
  }
  for (const task of deferred) index.add(task);
  return planned;
}

/** Candidates in one heap per encoder (and one for tasks that accept any worker), lazily updated. */
class WorkerPool {
  private readonly heaps = new Map<string, Heap<Slot>>();
  private room = 0;

  constructor(candidates: readonly Candidate[]) {
    const byKey = new Map<string, Slot[]>();
    for (const candidate of candidates) {
      if (candidate.capacity <= 0) continue;
      const worker: MutableCandidate = { ...candidate, version: 0 };
      this.room += worker.capacity;
      for (const key of [ANY, ...new Set(worker.encoders)]) {
        const slots = byKey.get(key) ?? [];
        slots.push(slotOf(worker));
        byKey.set(key, slots);
      }
    }
    for (const [key, slots] of byKey) this.heaps.set(key, new Heap(compareCandidates, slots));
  }

  hasRoom(): boolean {
    return this.room > 0;
  }

  anyRoomFor(required: readonly string[]): boolean {
    for (const key of keysFor(required)) if (this.top(key)) return true;
    return false;
  }

  best(required: readonly string[], excluded: ReadonlySet<string>): MutableCandidate | undefined {
    let best: MutableCandidate | undefined;
    for (const key of keysFor(required)) {
      const candidate = this.top(key, excluded);
      if (candidate && (!best || compareCandidates(candidate, best) < 0)) best = candidate;
    }
    return best;
  }

  take(worker: MutableCandidate): void {
    worker.capacity--;
    worker.running++;
    worker.version++;
    this.room--;
    if (worker.capacity <= 0) return;
    // Its old entries are now stale (version mismatch); re-enter it with its new, lower standing.
    for (const key of [ANY, ...new Set(worker.encoders)]) this.heaps.get(key)?.push(slotOf(worker));
  }

  /** The best live worker of one heap, passing over (but keeping) excluded ones. */
  private top(key: string, excluded?: ReadonlySet<string>): MutableCandidate | undefined {
    const heap = this.heaps.get(key);
    if (!heap) return undefined;
    const passedOver: Slot[] = [];
    let found: MutableCandidate | undefined;
    for (let slot = heap.peek(); slot; slot = heap.peek()) {
      if (slot.version !== slot.worker.version) {
        heap.pop();
        continue;
      }
      if (excluded?.has(slot.worker.id)) {
        passedOver.push(slot);
        heap.pop();
        continue;
      }
      found = slot.worker;
      break;
    }
    for (const slot of passedOver) heap.push(slot);
    return found;
  }
}

function slotOf(worker: MutableCandidate): Slot {
  const { id, encoders, capacity, running, version } = worker;
  return { id, encoders, capacity, running, version, worker };
}

function keysFor(required: readonly string[]): readonly string[] {
  return required.length === 0 ? [ANY] : required;
}

/**
 * The queued tasks, one heap per requirement set ("h264_videotoolbox,libx264", "" for any). Tasks
 * with the same requirements can be placed on exactly the same workers, so when no free worker fits
 * a group the scheduler skips the whole group at once instead of walking thousands of its tasks.
 *
 * Removal is lazy: each live task has a token; a heap entry whose token is no longer current is
 * dropped when it reaches the top.
 */
import { Heap } from './heap.ts';
import type { Task } from './types.ts';

interface Entry {
  task: Task;
  token: number;
}

/** Higher priority first, then older, then by id so the order never depends on insertion. */
export function compareTasks(a: Task, b: Task): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function requirementKey(encoders: readonly string[]): string {
  return [...new Set(encoders)].sort().join(',');
}

export function encodersOfKey(key: string): string[] {
  return key === '' ? [] : key.split(',');
}

const byTask = (a: Entry, b: Entry) => compareTasks(a.task, b.task);

export class QueuedTaskIndex {
  private readonly groups = new Map<string, Heap<Entry>>();
  private readonly tokens = new Map<string, number>();
  private nextToken = 1;
  private staleEntries = 0;

  /** Live queued tasks. */
  get size(): number {
    return this.tokens.size;
  }

  add(task: Task): void {
    if (this.tokens.has(task.id)) this.staleEntries++;
    const token = this.nextToken++;
    this.tokens.set(task.id, token);
    const key = requirementKey(task.requirements.encoders);
    let heap = this.groups.get(key);
    if (!heap) {
      heap = new Heap(byTask);
      this.groups.set(key, heap);
    }
    heap.push({ task, token });
  }

  remove(taskId: string): void {
    if (!this.tokens.delete(taskId)) return;
    this.staleEntries++;
    // Stale entries only cost memory until they surface; rebuild when they outnumber live ones.
    if (this.staleEntries > 1024 && this.staleEntries > this.tokens.size) this.compact();
  }

  /** Requirement keys that still hold at least one live task. */
  groupKeys(): string[] {
    return [...this.groups.keys()].filter((key) => this.peek(key) !== undefined);
  }

  peek(key: string): Task | undefined {
    const heap = this.groups.get(key);
    if (!heap) return undefined;
    for (let top = heap.peek(); top; top = heap.peek()) {
      if (this.tokens.get(top.task.id) === top.token) return top.task;
      heap.pop();
      this.staleEntries--;
    }
    this.groups.delete(key);
    return undefined;
  }

  pop(key: string): Task | undefined {
    const task = this.peek(key);
    if (!task) return undefined;
    this.groups.get(key)?.pop();
    this.tokens.delete(task.id);
    return task;
  }

  private compact(): void {
    for (const [key, heap] of this.groups) {
      const live: Entry[] = [];
      for (let entry = heap.pop(); entry; entry = heap.pop()) {
        if (this.tokens.get(entry.task.id) === entry.token) live.push(entry);
      }
      if (live.length > 0) this.groups.set(key, new Heap(byTask, live));
      else this.groups.delete(key);
    }
    this.staleEntries = 0;
  }
}

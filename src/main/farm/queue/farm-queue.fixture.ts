/** Test helpers for the farm queue: a settable clock, valid task and worker inputs, a ready queue. */
import { sha256Hex } from '../../util/hash.ts';
import { FarmQueue, type FarmQueueOptions } from './farm-queue.ts';
import { createMemoryTaskStore } from './task-store.fixture.ts';
import type { TaskStore } from './task-store.ts';
import type { TaskInput, WorkerInfo } from './types.ts';

export interface ManualClock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): number;
}

export function manualClock(start = 1_000_000): ManualClock {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
      return current;
    },
  };
}

export const taskIdOf = (name: string | number): string => sha256Hex(`task-${name}`);

export function taskInput(name: string | number, overrides: Partial<TaskInput> = {}): TaskInput {
  return {
    id: taskIdOf(name),
    originNodeId: 'origin-1',
    originUrl: 'http://10.0.0.1:7777',
    jobId: `job-${name}`,
    priority: 0,
    plan: { version: 1, name: String(name) },
    requirements: { encoders: ['libx264'] },
    ...overrides,
  };
}

export function workerInfo(id: string, overrides: Partial<WorkerInfo> = {}): WorkerInfo {
  return {
    id,
    url: `http://${id}.local:7777`,
    encoders: ['libx264'],
    maxConcurrency: 1,
    ...overrides,
  };
}

export interface QueueKit {
  queue: FarmQueue;
  clock: ManualClock;
  store: TaskStore;
}

export function queueKit(options: Partial<FarmQueueOptions> = {}): QueueKit {
  const clock = manualClock();
  const store = options.store ?? createMemoryTaskStore();
  const queue = new FarmQueue({ clock, ...options, store });
  return { queue, clock, store };
}

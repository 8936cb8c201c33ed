/**
 * A discrete-event simulation of a farm around the real FarmQueue, on a virtual clock: workers that
 * heartbeat, receive pushed leases, "encode" for a known duration and report results through their
 * origin, with a fixed one-way network delay. Used by bench/farm.ts and by tests of the timings the
 * design promises (failover within 6 s). Time is virtual; only `onSubmitMeasured` reports real time.
 */

import { FarmQueue } from '../../src/main/farm/queue/farm-queue.ts';
import { Heap } from '../../src/main/farm/queue/heap.ts';
import { createMemoryTaskStore } from '../../src/main/farm/queue/task-store.fixture.ts';
import type { TaskStore } from '../../src/main/farm/queue/task-store.ts';
import type { Assignment, HeartbeatReport } from '../../src/main/farm/queue/types.ts';
import { sha256Hex } from '../../src/main/util/hash.ts';

export interface SimTask {
  name: string;
  durationMs: number;
  priority?: number;
}

export interface SimulationOptions {
  workers: number;
  slotsPerWorker?: number;
  heartbeatMs?: number;
  /** The coordinator's timer; it also ticks on every heartbeat. */
  tickMs?: number;
  /** One-way LAN delay of every message. */
  hopMs?: number;
  leaseTimeoutMs?: number;
  /** Seeds the workers' heartbeat phases. */
  seed?: number;
  store?: TaskStore;
  /** Real wall-clock milliseconds of each submit() + schedule(), and whether that call placed the task. */
  onSubmitMeasured?: (ms: number, assigned: boolean) => void;
}

export interface StartRecord {
  task: string;
  workerId: string;
  leaseId: string;
  at: number;
}

interface SimWorker {
  id: string;
  alive: boolean;
  slots: number;
  /** leaseId → task name */
  running: Map<string, string>;
}

interface SimEvent {
  at: number;
  seq: number;
  run: () => void;
}

/** Mulberry32: small, fast, and the same numbers on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SIM_EPOCH = 1_700_000_000_000;

export class FarmSimulation {
  readonly queue: FarmQueue;
  readonly starts: StartRecord[] = [];
  /** Task name → virtual time its result was accepted. */
  readonly completedAt = new Map<string, number>();
  private current = SIM_EPOCH;
  private seq = 0;
  private readonly events = new Heap<SimEvent>((a, b) => a.at - b.at || a.seq - b.seq);
  private readonly workers = new Map<string, SimWorker>();
  private readonly hopMs: number;
  private readonly heartbeatMs: number;
  private readonly onSubmitMeasured: ((ms: number, assigned: boolean) => void) | undefined;

  constructor(options: SimulationOptions) {
    this.hopMs = options.hopMs ?? 2;
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.onSubmitMeasured = options.onSubmitMeasured;
    const store = options.store ?? createMemoryTaskStore();
    const queueOptions = { clock: { now: () => this.current }, store };
    this.queue = new FarmQueue(
      options.leaseTimeoutMs ? { ...queueOptions, leaseTimeoutMs: options.leaseTimeoutMs } : queueOptions,
    );
    const random = seededRandom(options.seed ?? 1);
    const slots = options.slotsPerWorker ?? 1;
    for (let i = 0; i < options.workers; i++) {
      const worker: SimWorker = {
        id: `w${String(i).padStart(3, '0')}`,
        alive: true,
        slots,
        running: new Map(),
      };
      this.workers.set(worker.id, worker);
      const url = `http://${worker.id}.local:7777`;
      this.queue.registerWorker({ id: worker.id, url, encoders: ['libx264'], maxConcurrency: slots });
      this.at(this.current + random() * this.heartbeatMs, () => this.sendHeartbeat(worker));
    }
    const tickMs = options.tickMs ?? 250;
    const tick = () => {
      this.dispatch(this.queue.tick(this.current).assignments);
      this.at(this.current + tickMs, tick);
    };
    this.at(this.current + tickMs, tick);
  }

  get now(): number {
    return this.current;
  }

  /** The origin sends these tasks at `at`; the coordinator submits and schedules each on arrival. */
  submitAt(at: number, tasks: readonly SimTask[]): void {
    this.at(at + this.hopMs, () => {
      for (const task of tasks) {
        const started = performance.now();
        const submitted = this.queue.submit(simTaskInput(task), this.current);
        const assignments = this.queue.schedule(this.current);
        const elapsed = performance.now() - started;
        this.onSubmitMeasured?.(
          elapsed,
          assignments.some((a) => a.task.id === submitted.id),
        );
        this.dispatch(assignments);
      }
    });
  }

  /** The worker stops dead at `at`: no more heartbeats, its encodes are lost. */
  killAt(at: number, workerId: string): void {
    this.at(at, () => {
      const worker = this.workers.get(workerId);
      if (!worker) return;
      worker.alive = false;
      worker.running.clear();
    });
  }

  /** Runs events in time order until `done()` holds (true) or virtual time passes `limit` (false). */
  runUntil(done: () => boolean, limit: number): boolean {
    while (!done()) {
      const next = this.events.peek();
      if (!next || next.at > limit) {
        this.current = Math.max(this.current, limit);
        return false;
      }
      this.events.pop();
      this.current = next.at;
      next.run();
    }
    return true;
  }

  holderOf(taskName: string): string | undefined {
    return this.queue.getTask(simTaskId(taskName))?.lease?.workerId;
  }

  private at(at: number, run: () => void): void {
    this.events.push({ at, seq: this.seq++, run });
  }

  private sendHeartbeat(worker: SimWorker): void {
    if (!worker.alive) return;
    const report: HeartbeatReport = {
      freeSlots: worker.slots - worker.running.size,
      leases: [...worker.running.keys()].map((leaseId) => ({ leaseId })),
    };
    this.at(this.current + this.hopMs, () => {
      const reply = this.queue.heartbeat(worker.id, report, this.current);
      this.dispatch(this.queue.tick(this.current).assignments);
      for (const leaseId of reply.cancel)
        this.at(this.current + this.hopMs, () => worker.running.delete(leaseId));
    });
    this.at(this.current + this.heartbeatMs, () => this.sendHeartbeat(worker));
  }

  /** Push each lease to its worker; it starts encoding on arrival. */
  private dispatch(assignments: readonly Assignment[]): void {
    for (const { lease, task } of assignments) {
      const { name, durationMs } = task.plan as { name: string; durationMs: number };
      this.at(this.current + this.hopMs, () => {
        const worker = this.workers.get(lease.workerId);
        if (!worker?.alive) return;
        worker.running.set(lease.id, name);
        this.starts.push({ task: name, workerId: worker.id, leaseId: lease.id, at: this.current });
        this.at(this.current + durationMs, () => this.finish(worker, lease.id, name));
      });
    }
  }

  /** Result to the origin (one hop), origin asks the coordinator to complete (another hop). */
  private finish(worker: SimWorker, leaseId: string, name: string): void {
    if (!worker.alive || !worker.running.delete(leaseId)) return;
    this.at(this.current + 2 * this.hopMs, () => {
      if (this.queue.complete(leaseId, this.current) === 'accepted' && !this.completedAt.has(name)) {
        this.completedAt.set(name, this.current);
      }
      this.dispatch(this.queue.schedule(this.current));
    });
  }
}

export const simTaskId = (name: string): string => sha256Hex(`sim-task:${name}`);

function simTaskInput(task: SimTask) {
  return {
    id: simTaskId(task.name),
    originNodeId: 'origin',
    originUrl: 'http://origin.local:7777',
    jobId: `job-${task.name}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64),
    priority: task.priority ?? 0,
    plan: { name: task.name, durationMs: task.durationMs },
    requirements: { encoders: ['libx264'] },
  };
}

/**
 * The workers the coordinator knows, and its estimate of each one's free slots. Worker state is soft:
 * it is rebuilt from registrations and heartbeats, so it is never persisted.
 */
import type { Candidate } from './scheduler.ts';
import type { WorkerInfo } from './types.ts';

export interface WorkerRecord {
  id: string;
  url: string;
  encoders: string[];
  maxConcurrency: number;
  freeSlots: number;
  paused: boolean;
  draining: boolean;
  lastHeartbeat: number;
}

export class WorkerRegistry {
  private readonly records = new Map<string, WorkerRecord>();
  private readonly staleMs: number;

  /** `staleMs`: a worker silent for longer gets no new leases (its old ones expire on their own). */
  constructor(staleMs: number) {
    this.staleMs = staleMs;
  }

  get(id: string): WorkerRecord | undefined {
    return this.records.get(id);
  }

  all(): IterableIterator<WorkerRecord> {
    return this.records.values();
  }

  /** Re-registering keeps the operator's pause/drain decision: a restart must not undo it. */
  register(info: WorkerInfo, held: number, now: number): WorkerRecord {
    const previous = this.records.get(info.id);
    const record: WorkerRecord = {
      id: info.id,
      url: info.url,
      encoders: [...new Set(info.encoders)],
      maxConcurrency: info.maxConcurrency,
      freeSlots: Math.min(info.freeSlots ?? info.maxConcurrency, Math.max(0, info.maxConcurrency - held)),
      paused: previous?.paused ?? false,
      draining: previous?.draining ?? false,
      lastHeartbeat: now,
    };
    this.records.set(info.id, record);
    return record;
  }

  remove(id: string): boolean {
    return this.records.delete(id);
  }

  /**
   * `unacknowledged`: leases it holds that its report did not list (granted after it sent the report,
   * or lost on the way): their slots are taken even though the worker did not count them yet.
   */
  heard(record: WorkerRecord, reportedFreeSlots: number, unacknowledged: number, now: number): void {
    record.lastHeartbeat = now;
    record.freeSlots = Math.max(0, Math.min(reportedFreeSlots, record.maxConcurrency) - unacknowledged);
  }

  granted(record: WorkerRecord): void {
    record.freeSlots = Math.max(0, record.freeSlots - 1);
  }

  /** A result came back: the slot is free now, not at the next heartbeat, so the next task starts at once. */
  released(record: WorkerRecord): void {
    record.freeSlots = Math.min(record.maxConcurrency, record.freeSlots + 1);
  }

  /** Workers that may take a lease now, with their room. */
  candidates(runningOf: (workerId: string) => number, now: number): Candidate[] {
    const list: Candidate[] = [];
    for (const record of this.records.values()) {
      if (record.paused || record.draining || now - record.lastHeartbeat > this.staleMs) continue;
      const running = runningOf(record.id);
      const capacity = Math.min(record.freeSlots, record.maxConcurrency - running);
      if (capacity > 0) list.push({ id: record.id, encoders: record.encoders, capacity, running });
    }
    return list;
  }
}

/**
 * Keeps the farm's history while this node coordinates: each task attempt as it ends (from the queue's
 * observer), the queue's length — sampled when it changed, at most every `sampleSeconds`, and once a
 * minute while nothing happens so the charts' time runs on — and the retention, applied hourly.
 */
import type { FarmHistory, TaskRun } from '../../shared/contract.ts';
import { createLogger } from '../log/logger.ts';
import type { HistoryStore } from './history-store.ts';

const log = createLogger('FarmHistory');
const IDLE_SAMPLE_MS = 60_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

export interface HistorySettings {
  retentionMs: number;
  sampleMs: number;
}

export interface HistoryRecorderDeps {
  store: HistoryStore;
  /** The coordinator's queue counts, or null while this node does not coordinate. */
  queue(): { queued: number; running: number } | null;
  settings(): HistorySettings;
  coordinatorId: string;
  clock: () => number;
}

export class HistoryRecorder {
  private readonly deps: HistoryRecorderDeps;
  private last: { at: number; queued: number; running: number } | null = null;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(deps: HistoryRecorderDeps) {
    this.deps = deps;
  }

  record(run: TaskRun): void {
    this.deps.store.addRun(run);
  }

  tick(): void {
    const queue = this.deps.queue();
    if (!queue) {
      this.last = null;
      return;
    }
    const now = this.deps.clock();
    const { sampleMs, retentionMs } = this.deps.settings();
    const changed = !this.last || this.last.queued !== queue.queued || this.last.running !== queue.running;
    const since = this.last ? now - this.last.at : Number.POSITIVE_INFINITY;
    if ((changed && since >= sampleMs) || since >= IDLE_SAMPLE_MS) {
      this.last = { at: now, queued: queue.queued, running: queue.running };
      this.deps.store.addSample(this.last);
    }
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      const pruned = this.deps.store.prune(now - retentionMs);
      if (pruned.runs + pruned.samples > 0) log.info('old farm history forgotten', pruned);
    }
  }

  /** What the dashboard shows: samples and runs since `since` (the sample before it opens the window). */
  history(since: number): FarmHistory {
    const { store } = this.deps;
    const before = store.sampleBefore(since);
    const samples = store.samples(since);
    return {
      coordinatorId: this.deps.coordinatorId,
      from: since,
      to: this.deps.clock(),
      samples: before ? [{ ...before, at: since }, ...samples] : samples,
      runs: store.runs(since),
    };
  }
}

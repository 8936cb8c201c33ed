import type { ProgressRate } from '../../shared/progress-rate.ts';
import type { JobStatus, StepStatus } from '../db/schema.ts';

/** What a GUI, the CLI or the farm hears while jobs run: live updates, never polling. */
export type EngineEvent =
  | { type: 'job'; jobId: string; status: JobStatus; error?: string; outputPath?: string }
  | { type: 'step'; jobId: string; stepKey: string; status: StepStatus; reused?: boolean; error?: string }
  /** An encode adds how fast it goes and when it will be done (fps, speed, etaMs) when it knows. */
  | ({ type: 'progress'; jobId: string; stepKey: string; fraction: number } & ProgressRate)
  | { type: 'warning'; jobId: string; message: string };

export type EngineListener = (event: EngineEvent) => void;

export class EventHub {
  private readonly listeners = new Set<EngineListener>();

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/**
 * What `vfo render` shows while jobs run, as data and text: each job's progress over its steps, the
 * step running now, and — while it encodes — frames per second, speed and the time left. Pure: the
 * printer (progress-printer.ts) decides how the lines reach the terminal.
 */
import { compactRate, describeRate, type ProgressRate } from '../../shared/progress-rate.ts';
import type { EngineEvent } from '../engine/events.ts';

export interface JobProgress {
  jobId: string;
  /** Steps of the job (0 while unknown). */
  totalSteps: number;
  /** 0..1 per step seen so far: done steps count 1. */
  steps: Map<string, number>;
  /** The step that reported last, and its rate (encodes only). */
  current: string | null;
  rate: ProgressRate | undefined;
  status: 'running' | 'done' | 'failed' | 'cancelled';
}

const BAR_WIDTH = 24;

export class JobProgressBoard {
  readonly jobs = new Map<string, JobProgress>();
  private readonly stepCount: (jobId: string) => number;

  constructor(stepCount: (jobId: string) => number) {
    this.stepCount = stepCount;
  }

  /** Applies one engine event; returns the job it changed, if any. */
  apply(event: EngineEvent): JobProgress | undefined {
    const job = this.jobOf(event.jobId);
    switch (event.type) {
      case 'progress': {
        job.steps.set(event.stepKey, Math.min(1, Math.max(0, event.fraction)));
        job.current = event.stepKey;
        job.rate = compactRate({ fps: event.fps, speed: event.speed, etaMs: event.etaMs });
        return job;
      }
      case 'step':
        if (event.status === 'done') job.steps.set(event.stepKey, 1);
        if (event.status === 'running') {
          job.current = event.stepKey;
          job.rate = undefined;
        }
        return job;
      case 'job':
        if (event.status === 'done' || event.status === 'failed' || event.status === 'cancelled') {
          job.status = event.status;
          job.rate = undefined;
        }
        return job;
      default:
        return undefined;
    }
  }

  private jobOf(jobId: string): JobProgress {
    let job = this.jobs.get(jobId);
    if (!job) {
      job = {
        jobId,
        totalSteps: this.stepCount(jobId),
        steps: new Map(),
        current: null,
        rate: undefined,
        status: 'running',
      };
      this.jobs.set(jobId, job);
    }
    return job;
  }
}

/** Each step weighs the same; a running step counts by its own progress. */
export function jobFraction(job: JobProgress): number {
  if (job.status === 'done') return 1;
  const total = Math.max(job.totalSteps, job.steps.size);
  if (total === 0) return 0;
  let sum = 0;
  for (const fraction of job.steps.values()) sum += fraction;
  return Math.min(1, sum / total);
}

const percent = (fraction: number) => `${Math.floor(fraction * 100)}%`;

/** The step running now and how far it is, e.g. "video 45%". */
function stepText(job: JobProgress): string {
  if (job.status !== 'running') return job.status;
  if (!job.current) return 'starting';
  return `${job.current} ${percent(job.steps.get(job.current) ?? 0)}`;
}

/** For a terminal: `1a2b3c4d [#########---------------]  38%  video 45%  87 fps · 2.1× · ETA 0:32`. */
export function barLine(job: JobProgress): string {
  const fraction = jobFraction(job);
  const filled = Math.floor(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const rate = describeRate(job.rate);
  return `${job.jobId.slice(0, 8)} ${bar} ${percent(fraction).padStart(4)}  ${stepText(job)}${rate ? `  ${rate}` : ''}`;
}

/** For a log or a pipe: `vfo: 1a2b3c4d 38% video 45% 87 fps · 2.1× · ETA 0:32`, one line per report. */
export function plainLine(job: JobProgress): string {
  const rate = describeRate(job.rate);
  return `vfo: ${job.jobId.slice(0, 8)} ${percent(jobFraction(job))} ${stepText(job)}${rate ? ` ${rate}` : ''}`;
}

/** A step that finished, failed or was reused: printed once, above the bars. */
export function stepDoneLine(event: Extract<EngineEvent, { type: 'step' }>): string {
  return `  ${event.jobId.slice(0, 8)} ${event.stepKey.padEnd(10)} ${event.reused ? 'unchanged' : event.status}`;
}

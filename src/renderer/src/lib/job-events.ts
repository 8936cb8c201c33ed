/**
 * Applies one live event to a job held by the UI. Pure, so the jobs store and its tests share it;
 * a job or step the event does not name is returned unchanged (same object, so React skips it).
 */
import type { JobSummary, StepSummary, VfoEvent } from '../../../shared/contract.ts';
import { compactRate, type ProgressRate } from '../../../shared/progress-rate.ts';

type JobEvent = Extract<VfoEvent, { jobId: string }>;

function updateStep<J extends JobSummary>(
  job: J,
  stepKey: string,
  change: (step: StepSummary) => StepSummary,
): J {
  let changed = false;
  const steps = job.steps.map((step) => {
    if (step.key !== stepKey) return step;
    changed = true;
    return change(step);
  });
  return changed ? { ...job, steps } : job;
}

function stepProgressAfter(step: StepSummary, status: StepSummary['status']): number {
  if (status === 'done') return 1;
  if (status === 'pending') return 0;
  if (status === 'running' && step.status !== 'running') return 0;
  return step.progress;
}

export function applyJobEvent<J extends JobSummary>(job: J, event: JobEvent): J {
  if (event.jobId !== job.id) return job;
  switch (event.type) {
    case 'job':
      return {
        ...job,
        status: event.status,
        error: event.status === 'failed' ? (event.error ?? job.error) : null,
        output: event.outputPath ?? job.output,
      };
    case 'step':
      return updateStep(job, event.stepKey, (step) => {
        // A rate describes a run in progress: a step that stopped (or starts again) has none.
        const { rate: _rate, ...rest } = step;
        return {
          ...rest,
          status: event.status,
          reused: event.reused ?? step.reused,
          error: event.status === 'failed' ? (event.error ?? step.error) : null,
          progress: stepProgressAfter(step, event.status),
        };
      });
    case 'progress':
      return updateStep(job, event.stepKey, (step) => {
        const { rate: _rate, ...rest } = step;
        const rate = compactRate({ fps: event.fps, speed: event.speed, etaMs: event.etaMs });
        return {
          ...rest,
          status: step.status === 'pending' ? 'running' : step.status,
          progress: Math.min(1, Math.max(0, event.fraction)),
          ...(rate ? { rate } : {}),
        };
      });
    case 'warning':
      return job.warnings.includes(event.message)
        ? job
        : { ...job, warnings: [...job.warnings, event.message] };
  }
}

/** How far a job is: each step weighs the same, a running step counts by its progress. */
export function jobProgress(job: JobSummary): number {
  if (job.steps.length === 0) return job.status === 'done' ? 1 : 0;
  const sum = job.steps.reduce((total, step) => total + (step.status === 'done' ? 1 : step.progress), 0);
  return Math.min(1, sum / job.steps.length);
}

/**
 * How fast the job goes and when it will be done: the rate of its running encode (the other steps are
 * short, and the encode is the last), or undefined while none is known.
 */
export function jobRate(job: JobSummary): ProgressRate | undefined {
  if (job.status !== 'running') return undefined;
  return job.steps.find((step) => step.status === 'running' && step.rate)?.rate;
}

export function isJobEvent(event: VfoEvent): event is JobEvent {
  return event.type !== 'farm';
}

/** Steps a user may re-run from: any step once the job is not running. */
export function canRerun(job: JobSummary): boolean {
  return job.status !== 'running' && job.status !== 'queued';
}

export function firstFailedStep(job: JobSummary): StepSummary | undefined {
  return job.steps.find((step) => step.status === 'failed');
}

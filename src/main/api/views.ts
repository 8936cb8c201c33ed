import type { JobDetail, JobSummary, StepSummary } from '../../shared/contract.ts';
import type { JobRow, JobStore, StepRow } from '../engine/job-store.ts';

/** A job as the UI sees it: the same shape over IPC and HTTP. */
export function jobSummaryOf(store: JobStore, job: JobRow): JobSummary {
  const input = job.input as { kind?: string; scriptPath?: string; title?: string };
  const title =
    input.kind === 'brief' ? (input.title ?? 'Untitled') : (input.scriptPath?.split(/[\\/]/).pop() ?? job.id);
  return {
    id: job.id,
    title,
    status: job.status,
    priority: job.priority,
    recipe: { slug: job.recipeSlug, version: job.recipeVersion },
    output: job.outputPath,
    error: job.error,
    warnings: job.warnings,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    steps: store.steps(job.id).map(stepSummaryOf),
  };
}

export function stepSummaryOf(s: StepRow): StepSummary {
  return {
    key: s.stepKey,
    kind: s.kind,
    status: s.status,
    reused: Boolean(s.reusedFrom),
    attempts: s.attempts,
    progress: s.progress,
    error: s.lastError,
    errorKind: s.errorKind,
    startedAt: s.startedAt,
    completedAt: s.completedAt,
  };
}

export function jobDetailOf(store: JobStore, job: JobRow): JobDetail {
  const steps = store.steps(job.id);
  return {
    ...jobSummaryOf(store, job),
    artifacts: store.jobArtifacts(job.id).map((a) => ({
      id: a.id,
      step: a.stepKey,
      name: a.name,
      type: a.type,
      sha256: a.sha256,
      size: a.size,
    })),
    logs: Object.fromEntries(steps.map((s) => [s.stepKey, s.logs])),
  };
}

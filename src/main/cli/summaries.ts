import type { JobRow, JobStore } from '../engine/job-store.ts';

/** The JSON shape of a job for `--json` output: stable, documented in the README. */
export function summarizeJob(store: JobStore, job: JobRow) {
  return {
    id: job.id,
    status: job.status,
    recipe: { slug: job.recipeSlug, version: job.recipeVersion },
    input: job.input,
    output: job.outputPath,
    error: job.error,
    warnings: job.warnings,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    steps: store.steps(job.id).map((s) => ({
      key: s.stepKey,
      kind: s.kind,
      status: s.status,
      reused: Boolean(s.reusedFrom),
      attempts: s.attempts,
      inputHash: s.inputHash,
      error: s.lastError,
      errorKind: s.errorKind,
      startedAt: s.startedAt,
      completedAt: s.completedAt,
    })),
    artifacts: store.jobArtifacts(job.id).map((a) => ({
      step: a.stepKey,
      name: a.name,
      type: a.type,
      path: a.path,
      sha256: a.sha256,
      size: a.size,
    })),
  };
}

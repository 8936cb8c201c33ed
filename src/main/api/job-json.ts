import type { JobRow, JobStore } from '../engine/job-store.ts';
import { jobSummaryOf, stepSummaryOf } from './views.ts';

/**
 * The JSON shape of a job for `--json` output: the UI's job summary, plus what a script on this machine
 * may use — the input, each step's input hash, and where the artifacts are on disk.
 */
export function jobJson(store: JobStore, job: JobRow) {
  return {
    ...jobSummaryOf(store, job),
    input: job.input,
    steps: store.steps(job.id).map((row) => ({ ...stepSummaryOf(row), inputHash: row.inputHash })),
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

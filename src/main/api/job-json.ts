import type { JobRow, JobStore } from '../engine/job-store.ts';
import { jobSummaryOf, stepSummaryOf } from './views.ts';

/**
 * The JSON shape of a job for `--json` output: the UI's job summary, plus what a script on this machine
 * may use — the input, each step's input hash and data, and where the artifacts are on disk.
 */
export function jobJson(store: JobStore, job: JobRow) {
  return {
    ...jobSummaryOf(store, job),
    input: job.input,
    steps: store.steps(job.id).map((row) => ({
      ...stepSummaryOf(row),
      inputHash: row.inputHash,
      // What the step measured or decided, e.g. the video's loudness (LUFS, dBTP, LU) on the encode step.
      data: (row.outputRefs as { data?: unknown } | null)?.data ?? null,
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

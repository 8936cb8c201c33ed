/** Jobs a farm node takes from the network: a submitted script becomes a job here, its status a view. */
import type { ScriptCheck } from '../../shared/contract.ts';
import { jobJson } from '../api/job-json.ts';
import type { Db } from '../db/open.ts';
import type { Engine } from '../engine/engine.ts';
import type { JobStore } from '../engine/job-store.ts';
import type { JobSubmission, ScriptCheckRequest } from '../farm/node/schemas.ts';
import type { MediaBlobs } from '../intake/media-upload.ts';
import type { IntakeServices } from '../intake/prepare-script.ts';
import { checkOnly, checkUpload } from '../intake/script-upload.ts';

export interface JobIntake {
  engine: Pick<Engine, 'createJob' | 'recipeProblem'>;
  db: Db;
  dataDir: string;
  /** Where media sent with scripts are kept. */
  blobs: MediaBlobs;
  /** What checking a script's `[voice X]` needs. */
  services: IntakeServices;
  runInBackground(jobId: string): void;
}

/** A script sent over the network: stored under the data folder, checked, and queued here. */
export async function importScriptJob(
  intake: JobIntake,
  submission: JobSubmission,
  defaultVideoPreset: string | undefined,
): Promise<{ ok: true; jobId: string } | { ok: false; message: string }> {
  const { recipe, videoPreset, ...upload } = submission;
  const { prepared } = await checkUpload(intake, upload, {
    recipe,
    videoPreset: videoPreset ?? defaultVideoPreset,
  });
  if (!prepared.ok) {
    const where = (d: { line: number; col: number; message: string }) =>
      `${submission.name}:${d.line}:${d.col}: ${d.message}`;
    return { ok: false, message: prepared.diagnostics.map(where).join('\n') };
  }
  const { job } = intake.engine.createJob(
    prepared.request,
    submission.priority !== undefined ? { priority: submission.priority } : {},
  );
  intake.runInBackground(job.id);
  return { ok: true, jobId: job.id };
}

export function jobJsonOf(store: JobStore, jobId: string) {
  const job = store.getJob(jobId);
  return job ? jobJson(store, job) : undefined;
}

/**
 * A script checked before its media are sent (`vfo submit` asks what it names): `sending` the paths
 * the sender will send, or 'any' to list every path inside its folder it names. Never makes a job.
 */
export async function checkScriptJob(
  intake: Omit<JobIntake, 'engine' | 'runInBackground'>,
  request: ScriptCheckRequest,
  defaultVideoPreset: string | undefined,
): Promise<ScriptCheck> {
  const { recipe, videoPreset, sending, ...upload } = request;
  const choices = { recipe, videoPreset: videoPreset ?? defaultVideoPreset };
  return checkOnly(intake, upload, choices, { sending });
}

import { THUMBNAIL_FILE_TYPE } from '../../shared/artifact-types.ts';
import type { JobStore } from '../engine/job-store.ts';

/**
 * The finished thumbnail of a job, where the blob store keeps it: what the app and the LAN UI show in
 * the job list. The path comes from the job's own artifact row, never from a request; null for a job
 * that is not done or has no thumbnail (made before thumbnails existed).
 */
export function thumbnailPathOf(store: JobStore, jobId: string): string | null {
  const job = store.getJob(jobId);
  if (job?.status !== 'done') return null;
  const thumbnails = store.jobArtifacts(jobId).filter((a) => a.type === THUMBNAIL_FILE_TYPE);
  // A job re-run after a change keeps only its newest.
  return thumbnails.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1)?.path ?? null;
}

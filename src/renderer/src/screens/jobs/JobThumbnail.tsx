import { useState } from 'react';
import type { JobSummary } from '../../../../shared/contract.ts';
import { thumbnailUrlOf } from '../../stores/call-api.ts';

/**
 * A finished job's thumbnail, small, in the job list. The node answers 404 for a job made before
 * thumbnails existed: the cell then stays empty rather than showing a broken picture.
 */
export function JobThumbnail({ job }: { job: JobSummary }) {
  const [missing, setMissing] = useState(false);
  const src = job.status === 'done' ? thumbnailUrlOf(job.id) : null;
  if (!src || missing) return null;
  return (
    <img
      // A new picture after a re-run: the URL stays, the update time changes.
      key={job.updatedAt}
      src={src}
      alt={`Thumbnail of ${job.title || job.id}`}
      className="job-thumbnail"
      data-testid="job-thumbnail"
      width={128}
      height={72}
      loading="lazy"
      onError={() => setMissing(true)}
    />
  );
}

import { useEffect } from 'react';
import type { JobDetail } from '../../../../shared/contract.ts';
import { LoadFailed } from '../../components/LoadFailed.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { routeToHash } from '../../lib/routes.ts';
import { useJobsStore } from '../../stores/jobs-store.ts';
import { ArtifactTable } from './ArtifactTable.tsx';
import { JobActions } from './JobActions.tsx';
import { JobLogs } from './JobLogs.tsx';
import { JobVideo } from './JobVideo.tsx';
import { StepTable } from './StepTable.tsx';

export function JobScreen({ jobId }: { jobId: string }) {
  const open = useJobsStore((state) => state.open);
  const close = useJobsStore((state) => state.close);
  const detail = useJobsStore((state) => (state.detail?.id === jobId ? state.detail : null));
  const failed = useJobsStore((state) => state.detailFailed && state.openId === jobId);

  useEffect(() => {
    void open(jobId);
    return close;
  }, [jobId, open, close]);

  if (!detail) {
    return (
      <>
        <p>
          <a href={routeToHash({ screen: 'jobs' })}>← All jobs</a>
        </p>
        {failed ? (
          <LoadFailed what="This job" onRetry={() => void open(jobId)} />
        ) : (
          <p className="muted">Loading the job…</p>
        )}
      </>
    );
  }

  const videoSha = videoShaOf(detail);
  return (
    <article
      aria-labelledby="job-heading"
      data-testid="job-view"
      data-job-id={detail.id}
      data-status={detail.status}
    >
      <p>
        <a href={routeToHash({ screen: 'jobs' })}>← All jobs</a>
      </p>
      <div className="row">
        <h1 id="job-heading">{detail.title || detail.id}</h1>
        <StatusBadge status={detail.status} testId="job-status" />
      </div>
      <p className="muted">
        {detail.recipe.slug} v{detail.recipe.version} · job {detail.id}
        {detail.output ? <> · {detail.output}</> : null}
      </p>
      {detail.error ? (
        <p className="error-text" role="alert">
          {detail.error}
        </p>
      ) : null}
      {detail.warnings.length > 0 ? (
        <ul className="diagnostics warnings" aria-label="Job warnings">
          {detail.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      ) : null}
      <JobActions job={detail} />
      {detail.status === 'done' && videoSha ? <JobVideo jobId={detail.id} version={videoSha} /> : null}
      <h2>Steps</h2>
      <StepTable steps={detail.steps} />
      <h2>Artifacts</h2>
      <ArtifactTable artifacts={detail.artifacts} />
      <h2>Logs</h2>
      <JobLogs logs={detail.logs} order={detail.steps.map((step) => step.key)} />
    </article>
  );
}

/**
 * What makes the player load again: the video's own checksum (a re-run that makes another video),
 * never the job's last update, which may change while someone is watching. Until the job's detail
 * lists its video, no player is shown (one that appeared earlier would load again once it did).
 */
function videoShaOf(detail: JobDetail): string | undefined {
  const videos = detail.artifacts.filter((a) => a.type === 'video');
  return (videos.find((a) => a.name === 'video') ?? videos[0])?.sha256;
}

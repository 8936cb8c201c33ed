import { useShallow } from 'zustand/react/shallow';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { jobProgress } from '../../lib/job-events.ts';
import { routeToHash } from '../../lib/routes.ts';
import { newestFirst, useJobsStore } from '../../stores/jobs-store.ts';

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function JobList() {
  const jobs = useJobsStore(useShallow((state) => newestFirst(state.byId)));
  const loaded = useJobsStore((state) => state.loaded);
  return (
    <section aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">All jobs</h2>
      {jobs.length === 0 ? (
        <p className="muted">{loaded ? 'No jobs yet: drop a script above.' : 'Loading jobs…'}</p>
      ) : (
        <table aria-labelledby="jobs-heading" data-testid="job-list">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Recipe</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr key={job.id} data-testid="job-row" data-job-id={job.id} data-status={job.status}>
                <td>
                  <a href={routeToHash({ screen: 'job', jobId: job.id })}>{job.title || job.id}</a>
                </td>
                <td>
                  <StatusBadge status={job.status} />
                </td>
                <td>
                  <ProgressBar fraction={jobProgress(job)} label={`Progress of ${job.title || job.id}`} />
                </td>
                <td>
                  {job.recipe.slug} v{job.recipe.version}
                </td>
                <td>{formatTime(job.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

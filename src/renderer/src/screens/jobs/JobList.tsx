import { useShallow } from 'zustand/react/shallow';
import type { JobSummary } from '../../../../shared/contract.ts';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { jobProgress, jobRate } from '../../lib/job-events.ts';
import { routeToHash } from '../../lib/routes.ts';
import { newestFirst, useJobsStore } from '../../stores/jobs-store.ts';
import { JobThumbnail } from './JobThumbnail.tsx';

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/**
 * A waiting or running job's priority on the farm: typed and sent on Enter or when the field is left
 * (the node checks the bounds and says so); a finished job only shows it.
 */
function PriorityControl({ job }: { job: JobSummary }) {
  const setPriority = useJobsStore((state) => state.setPriority);
  const busy = useJobsStore((state) => Boolean(state.pending[job.id]));
  if (job.status !== 'queued' && job.status !== 'running') return <span>{job.priority}</span>;
  // A value the node refused is not left in the field as if it were kept (found by reviewing the UI).
  const send = async (field: HTMLInputElement) => {
    const text = field.value;
    const value = Number(text);
    const sent = text.trim() !== '' && value !== job.priority && (await setPriority(job.id, value));
    if (!sent) field.value = String(job.priority);
  };
  return (
    <input
      // A new key per stored priority: the field shows what the node keeps after each change.
      key={job.priority}
      type="number"
      step={1}
      defaultValue={job.priority}
      disabled={busy}
      aria-label={`Priority of ${job.title || job.id}`}
      data-testid="job-priority"
      style={{ width: '5rem' }}
      onBlur={(event) => void send(event.currentTarget)}
      onKeyDown={(event) => {
        if (event.key === 'Enter') void send(event.currentTarget);
      }}
    />
  );
}

const COLUMNS: Column<JobSummary>[] = [
  { header: 'Thumbnail', cell: (job) => <JobThumbnail job={job} /> },
  {
    header: 'Title',
    cell: (job) => <a href={routeToHash({ screen: 'job', jobId: job.id })}>{job.title || job.id}</a>,
  },
  { header: 'Status', cell: (job) => <StatusBadge status={job.status} /> },
  { header: 'Priority', cell: (job) => <PriorityControl job={job} /> },
  {
    header: 'Progress',
    cell: (job) => (
      <ProgressBar
        fraction={jobProgress(job)}
        label={`Progress of ${job.title || job.id}`}
        rate={jobRate(job)}
      />
    ),
  },
  { header: 'Recipe', cell: (job) => `${job.recipe.slug} v${job.recipe.version}` },
  { header: 'Created', cell: (job) => formatTime(job.createdAt) },
];

export function JobList() {
  const jobs = useJobsStore(useShallow((state) => newestFirst(state.byId)));
  const loaded = useJobsStore((state) => state.loaded);
  return (
    <section aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">All jobs</h2>
      <DataTable
        labelledBy="jobs-heading"
        testId="job-list"
        columns={COLUMNS}
        // Jobs announced by events show before the first list arrives; only nothing at all is "loading".
        rows={jobs.length === 0 && !loaded ? null : jobs}
        rowKey={(job) => job.id}
        rowTestId="job-row"
        rowData={(job) => ({ 'job-id': job.id, status: job.status })}
        loading="Loading jobs…"
        empty="No jobs yet: drop a script above."
      />
    </section>
  );
}

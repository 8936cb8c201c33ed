import { useId, useState } from 'react';
import type { JobSummary } from '../../../../shared/contract.ts';
import { canRerun, firstFailedStep } from '../../lib/job-events.ts';
import { useJobsStore } from '../../stores/jobs-store.ts';

/** Cancel a live job, retry a failed one from its failed step, or re-run from any chosen step. */
export function JobActions({ job }: { job: JobSummary }) {
  const retry = useJobsStore((state) => state.retry);
  const cancel = useJobsStore((state) => state.cancel);
  const busy = useJobsStore((state) => Boolean(state.pending[job.id]));
  const [fromStep, setFromStep] = useState('');
  const selectId = useId();
  const failed = firstFailedStep(job);
  const live = job.status === 'queued' || job.status === 'running';
  const chosen = fromStep || job.steps[0]?.key || '';

  return (
    <div className="row" data-testid="job-actions">
      {failed || job.status === 'failed' || job.status === 'cancelled' ? (
        <button type="button" className="primary" disabled={busy} onClick={() => void retry(job.id)}>
          {failed ? `Retry failed step “${failed.key}”` : 'Resume job'}
        </button>
      ) : null}
      {live ? (
        <button type="button" className="danger" disabled={busy} onClick={() => void cancel(job.id)}>
          Cancel job
        </button>
      ) : null}
      {canRerun(job) && job.steps.length > 0 ? (
        <>
          <label htmlFor={selectId}>Re-run from step</label>
          <select id={selectId} value={chosen} onChange={(event) => setFromStep(event.target.value)}>
            {job.steps.map((step) => (
              <option key={step.key} value={step.key}>
                {step.key}
              </option>
            ))}
          </select>
          <button type="button" disabled={busy} onClick={() => void retry(job.id, chosen)}>
            Re-run
          </button>
        </>
      ) : null}
    </div>
  );
}

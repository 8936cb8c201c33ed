import type { FarmTaskView, JobStatus, NodeView, StepStatus } from '../../../shared/contract.ts';

type Status = JobStatus | StepStatus | NodeView['status'] | NodeView['role'] | FarmTaskView['status'];

const LABELS: Partial<Record<Status, string>> = {
  pending: 'waiting',
};

export function StatusBadge({ status, testId }: { status: Status; testId?: string }) {
  return (
    <span className={`badge ${status}`} data-testid={testId} data-status={status}>
      {LABELS[status] ?? status}
    </span>
  );
}

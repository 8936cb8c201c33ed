import type { StepSummary } from '../../../../shared/contract.ts';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';

function Reuse({ step }: { step: StepSummary }) {
  if (step.reused)
    return <span title="Its inputs were unchanged, so an earlier result was reused">reused (unchanged)</span>;
  return step.status === 'done' ? <span className="muted">ran</span> : null;
}

const COLUMNS: Column<StepSummary>[] = [
  {
    header: 'Step',
    rowHeader: true,
    cell: (step) => (
      <>
        {step.key} <span className="muted">({step.kind})</span>
      </>
    ),
  },
  { header: 'Status', cell: (step) => <StatusBadge status={step.status} /> },
  { header: 'Result', cell: (step) => <Reuse step={step} /> },
  { header: 'Attempts', cell: (step) => step.attempts },
  {
    header: 'Progress',
    cell: (step) => (
      <ProgressBar
        fraction={step.status === 'done' ? 1 : step.progress}
        label={`Progress of step ${step.key}`}
        rate={step.status === 'running' ? step.rate : undefined}
      />
    ),
  },
  {
    header: 'Error',
    className: 'error-text',
    testId: 'step-error',
    cell: (step) =>
      step.error ? (
        <>
          {step.errorKind ? <strong>{step.errorKind}: </strong> : null}
          {step.error}
        </>
      ) : null,
  },
];

export function StepTable({ steps }: { steps: StepSummary[] }) {
  return (
    <DataTable
      label="Steps"
      testId="steps"
      columns={COLUMNS}
      rows={steps}
      rowKey={(step) => step.key}
      rowTestId="step-row"
      rowData={(step) => ({ step: step.key, status: step.status })}
    />
  );
}

import type { StepSummary } from '../../../../shared/contract.ts';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';

function Reuse({ step }: { step: StepSummary }) {
  if (step.reused)
    return <span title="Its inputs were unchanged, so an earlier result was reused">reused (unchanged)</span>;
  return step.status === 'done' ? <span className="muted">ran</span> : null;
}

export function StepTable({ steps }: { steps: StepSummary[] }) {
  return (
    <table aria-label="Steps" data-testid="steps">
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Status</th>
          <th scope="col">Result</th>
          <th scope="col">Attempts</th>
          <th scope="col">Progress</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((step) => (
          <tr key={step.key} data-testid="step-row" data-step={step.key} data-status={step.status}>
            <th scope="row">
              {step.key} <span className="muted">({step.kind})</span>
            </th>
            <td>
              <StatusBadge status={step.status} />
            </td>
            <td>
              <Reuse step={step} />
            </td>
            <td>{step.attempts}</td>
            <td>
              <ProgressBar
                fraction={step.status === 'done' ? 1 : step.progress}
                label={`Progress of step ${step.key}`}
              />
            </td>
            <td className="error-text" data-testid="step-error">
              {step.error ? (
                <>
                  {step.errorKind ? <strong>{step.errorKind}: </strong> : null}
                  {step.error}
                </>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The coordinator's alerts in force, most severe first: what needs a person's attention now. */
import type { Alert } from '../../../../shared/contract.ts';

function sinceText(since: number): string {
  const date = new Date(since);
  return Number.isNaN(date.getTime()) ? '' : `since ${date.toLocaleTimeString()}`;
}

export function AlertList({ alerts }: { alerts: readonly Alert[] }) {
  if (alerts.length === 0) {
    return (
      <p className="muted" data-testid="farm-alerts-none">
        No alerts: the queue is moving and no render is running late.
      </p>
    );
  }
  return (
    <ul className="alerts" aria-label="Alerts" data-testid="farm-alerts">
      {alerts.map((alert) => (
        <li
          key={alert.id}
          className={`alert ${alert.severity}`}
          data-testid="farm-alert"
          data-kind={alert.kind}
          data-severity={alert.severity}
          role={alert.severity === 'critical' ? 'alert' : undefined}
        >
          <strong>{alert.severity}</strong> {alert.message}{' '}
          <span className="muted">{alert.kind === 'daily-summary' ? '' : sinceText(alert.since)}</span>
        </li>
      ))}
    </ul>
  );
}

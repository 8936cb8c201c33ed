/** Who encoded what, when, for how long: one lane per node, one bar per task attempt (and what runs now). */
import { formatEta } from '../../../../shared/progress-rate.ts';
import type { TimelineBar, TimelineLane } from '../../lib/dashboard-series.ts';
import { routeToHash } from '../../lib/routes.ts';

function barTitle(bar: TimelineBar): string {
  const what =
    bar.segment === null
      ? `job ${bar.jobId.slice(0, 8)}`
      : `job ${bar.jobId.slice(0, 8)}, segment ${bar.segment + 1}`;
  const when = new Date(bar.startedAt).toLocaleTimeString();
  return `${what}: ${bar.outcome} — started ${when}, ${formatEta(bar.endedAt - bar.startedAt)}`;
}

export function Timeline({ lanes, from, to }: { lanes: TimelineLane[]; from: number; to: number }) {
  if (lanes.length === 0) return <p className="muted">No task was encoded in this window.</p>;
  return (
    <div className="timeline" data-testid="timeline">
      <div className="timeline-scale muted" aria-hidden="true">
        <span>{new Date(from).toLocaleTimeString()}</span>
        <span>{new Date(to).toLocaleTimeString()}</span>
      </div>
      {lanes.map((lane) => (
        <div
          key={lane.workerId}
          className="timeline-lane"
          data-testid="timeline-lane"
          data-worker={lane.workerId}
        >
          <span className="timeline-name">{lane.name}</span>
          <ul className="timeline-track" aria-label={`Tasks encoded by ${lane.name}`}>
            {lane.bars.map((bar) => (
              <li
                key={`${bar.taskId}-${bar.startedAt}`}
                className={`timeline-bar ${bar.outcome}`}
                style={{ left: `${bar.left}%`, width: `${bar.width}%` }}
                title={barTitle(bar)}
                data-testid="timeline-task"
                data-job-id={bar.jobId}
                data-outcome={bar.outcome}
              >
                <a href={routeToHash({ screen: 'job', jobId: bar.jobId })} aria-label={barTitle(bar)}>
                  <span className="visually-hidden">{barTitle(bar)}</span>
                </a>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

/**
 * The farm at a glance, over the last hours: the queue's length, tasks finished per interval, render
 * time per minute of video, and who encoded what when. From the coordinator's history (SQLite), with
 * what runs now from the farm's status; refreshed every few seconds while shown.
 */
import { useEffect, useMemo } from 'react';
import { LoadFailed } from '../../components/LoadFailed.tsx';
import {
  queueSeries,
  renderRateSeries,
  throughputSeries,
  timelineLanes,
  totals,
  viewOf,
} from '../../lib/dashboard-series.ts';
import { HOUR_CHOICES, useDashboardStore } from '../../stores/dashboard-store.ts';
import { useFarmStore } from '../../stores/farm-store.ts';
import { Timeline } from './Timeline.tsx';
import { type ChartSeries, UPlotChart } from './UPlotChart.tsx';

const REFRESH_MS = 5000;

// Declared once: a chart is rebuilt only when its series change.
const QUEUE: ChartSeries[] = [
  { label: 'Waiting', color: '#d9480f', kind: 'step' },
  { label: 'Encoding', color: '#1f5fd1', kind: 'step' },
];
const THROUGHPUT: ChartSeries[] = [
  { label: 'Done', color: '#2b8a3e', kind: 'bars' },
  { label: 'Failed', color: '#c92a2a', kind: 'bars' },
];
const RENDER_RATE: ChartSeries[] = [{ label: 'Seconds per video-minute', color: '#7048e8', kind: 'points' }];

function Totals({
  history,
}: {
  history: NonNullable<ReturnType<typeof useDashboardStore.getState>['history']>;
}) {
  const t = totals(history);
  return (
    <dl className="counts" aria-label="In this window" data-testid="dashboard-totals">
      <div>
        <dt>done</dt>
        <dd data-testid="total-done">{t.done}</dd>
      </div>
      <div>
        <dt>failed</dt>
        <dd>{t.failed}</dd>
      </div>
      <div>
        <dt>retried</dt>
        <dd>{t.retried}</dd>
      </div>
      <div>
        <dt>per hour</dt>
        <dd>{t.perHour}</dd>
      </div>
      <div>
        <dt>s per video-min</dt>
        <dd>{t.secondsPerVideoMinute ?? '—'}</dd>
      </div>
    </dl>
  );
}

export function DashboardScreen() {
  const history = useDashboardStore((state) => state.history);
  const loadFailed = useDashboardStore((state) => state.loadFailed);
  const hours = useDashboardStore((state) => state.hours);
  const setHours = useDashboardStore((state) => state.setHours);
  const status = useFarmStore((state) => state.status);

  useEffect(() => {
    void useDashboardStore.getState().load();
    const timer = setInterval(() => void useDashboardStore.getState().load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const encodes = status?.encodes;
  const view = useMemo(() => (history ? viewOf(history, encodes) : null), [history, encodes]);
  const liveQueue = status?.queue;
  const queue = useMemo(
    () => (history && view ? queueSeries(history, view, liveQueue) : null),
    [history, view, liveQueue],
  );
  const throughput = useMemo(
    () => (history && view ? throughputSeries(history, view) : null),
    [history, view],
  );
  const renderRate = useMemo(() => (history ? renderRateSeries(history) : null), [history]);
  const lanes = useMemo(
    () => (history && view ? timelineLanes(history, encodes ?? [], status?.nodes ?? [], view) : []),
    [history, view, encodes, status?.nodes],
  );
  const keeper = status?.nodes.find((n) => n.id === history?.coordinatorId)?.name ?? history?.coordinatorId;

  return (
    <>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1>Dashboard</h1>
        <label>
          Window{' '}
          <select value={hours} onChange={(event) => void setHours(Number(event.target.value))}>
            {HOUR_CHOICES.map((h) => (
              <option key={h} value={h}>
                last {h === 168 ? '7 days' : h === 1 ? 'hour' : `${h} hours`}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!history && loadFailed ? (
        <LoadFailed what="The farm’s history" onRetry={() => void useDashboardStore.getState().load()} />
      ) : !history || !view || !queue || !throughput || !renderRate ? (
        <p className="muted">Loading the farm’s history…</p>
      ) : (
        <div data-testid="dashboard">
          <p className="muted">
            {keeper
              ? `History kept by ${keeper}, the coordinator.`
              : 'No coordinator yet: no history to show.'}
          </p>
          <Totals history={history} />
          <div className="charts">
            <UPlotChart
              title="Queue length (tasks)"
              testId="chart-queue"
              data={queue}
              view={view}
              series={QUEUE}
              yLabel="tasks"
            />
            <UPlotChart
              title="Throughput (tasks finished per interval)"
              testId="chart-throughput"
              data={throughput}
              view={view}
              series={THROUGHPUT}
              yLabel="tasks"
            />
            <UPlotChart
              title="Render time per minute of video"
              testId="chart-render-rate"
              data={renderRate}
              view={view}
              series={RENDER_RATE}
              yLabel="seconds"
            />
          </div>
          <h2>Who encoded what</h2>
          <Timeline lanes={lanes} from={view.from} to={view.to} />
        </div>
      )}
    </>
  );
}

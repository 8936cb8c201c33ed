/**
 * The dashboard's figures from the coordinator's history, as pure functions: the queue over time, tasks
 * finished per interval, render time per minute of video, and a lane per node of what it encoded when.
 * Times on the charts are seconds since the epoch (uPlot's unit).
 */
import type { FarmHistory, NodeView, RunningEncode, TaskRun } from '../../../shared/contract.ts';

/** uPlot's data: the x values, then one array of y values per series. */
export type ChartData = [number[], ...(number | null)[][]];

const toSeconds = (ms: number) => ms / 1000;

/** The span the charts show: ms since the epoch. */
export interface View {
  from: number;
  to: number;
}

/**
 * The window asked for, narrowed to where something happened in it: a farm that started ten minutes
 * ago shows those ten minutes, not six hours of nothing. A busy farm fills the whole window anyway.
 */
export function viewOf(history: FarmHistory, encodes: readonly RunningEncode[] = []): View {
  const starts = [
    ...history.samples.filter((s) => s.at > history.from).map((s) => s.at),
    ...history.runs.map((r) => r.startedAt),
    ...encodes.map((e) => e.startedAt),
  ];
  if (starts.length === 0) return { from: history.from, to: history.to };
  const first = Math.max(history.from, Math.min(...starts));
  // A margin before the first event, so it does not sit on the axis.
  const margin = Math.max(10_000, (history.to - first) * 0.05);
  return { from: Math.max(history.from, first - margin), to: history.to };
}

const BUCKETS_MS = [10, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 24 * 3600].map((s) => s * 1000);

/** About forty bars over the view, each a round length (10 s … 1 day). */
export function bucketMsFor(viewMs: number): number {
  return BUCKETS_MS.find((ms) => ms >= viewMs / 40) ?? (BUCKETS_MS.at(-1) as number);
}

/**
 * Queued and running tasks at each sample in the view; the lines start where they stood and end at the
 * queue as it is now (`live`, from the farm's status) — samples are taken at most every few seconds, so
 * the last one may be behind.
 */
export function queueSeries(
  history: FarmHistory,
  view: View = history,
  live?: { queued: number; running: number },
): ChartData {
  const opening = history.samples.filter((s) => s.at <= view.from).at(-1);
  const inView = history.samples.filter((s) => s.at > view.from && s.at <= view.to);
  const samples = opening ? [{ ...opening, at: view.from }, ...inView] : inView;
  const xs = samples.map((s) => toSeconds(s.at));
  const queued: (number | null)[] = samples.map((s) => s.queued);
  const running: (number | null)[] = samples.map((s) => s.running);
  const last = live ?? samples.at(-1);
  if (last && (samples.at(-1)?.at ?? Number.NEGATIVE_INFINITY) < view.to) {
    xs.push(toSeconds(view.to));
    queued.push(last.queued);
    running.push(last.running);
  }
  return [xs, queued, running];
}

/** More bars than any screen has pixels for. */
const MAX_BUCKETS = 2000;

/** Tasks done and failed per bucket over the view (empty buckets are 0, so the axis is honest). */
export function throughputSeries(
  history: FarmHistory,
  view: View = history,
  bucketMs = bucketMsFor(view.to - view.from),
): ChartData {
  const start = Math.floor(view.from / bucketMs) * bucketMs;
  // A span the chart cannot draw (a bad reply) is cut, not an array of millions of points.
  const count = Math.min(MAX_BUCKETS, Math.max(1, Math.ceil((view.to - start) / bucketMs)));
  const done = new Array<number>(count).fill(0);
  const failed = new Array<number>(count).fill(0);
  for (const run of history.runs) {
    const index = Math.floor((run.endedAt - start) / bucketMs);
    if (index < 0 || index >= count) continue;
    if (run.outcome === 'done') (done[index] as number)++;
    else if (run.outcome === 'failed') (failed[index] as number)++;
  }
  const xs = Array.from({ length: count }, (_, i) => toSeconds(start + (i + 0.5) * bucketMs));
  return [xs, done, failed];
}

/** Seconds of rendering per minute of video, one point per finished render. */
export function renderRateSeries(history: FarmHistory): ChartData {
  const done = history.runs.filter((r) => r.outcome === 'done' && r.videoSeconds > 0);
  return [
    done.map((r) => toSeconds(r.endedAt)),
    done.map((r) => Math.round(((r.endedAt - r.startedAt) / 1000 / (r.videoSeconds / 60)) * 10) / 10),
  ];
}

export interface TimelineBar {
  taskId: string;
  jobId: string;
  startedAt: number;
  endedAt: number;
  outcome: TaskRun['outcome'] | 'running';
  segment: number | null;
  /** Left edge and width as percentages of the window. */
  left: number;
  width: number;
}

export interface TimelineLane {
  workerId: string;
  name: string;
  bars: TimelineBar[];
}

/** One lane per node that encoded something in the window (and those encoding now), by name. */
export function timelineLanes(
  history: FarmHistory,
  encodes: readonly RunningEncode[],
  nodes: readonly NodeView[],
  view: View = history,
): TimelineLane[] {
  const span = Math.max(1, view.to - view.from);
  const place = (startedAt: number, endedAt: number) => {
    const from = Math.max(view.from, startedAt);
    const to = Math.min(view.to, Math.max(from, endedAt));
    return { left: ((from - view.from) / span) * 100, width: Math.max(0.4, ((to - from) / span) * 100) };
  };
  const lanes = new Map<string, TimelineLane>();
  const laneOf = (workerId: string) => {
    let lane = lanes.get(workerId);
    if (!lane) {
      lane = { workerId, name: nodes.find((n) => n.id === workerId)?.name ?? workerId.slice(0, 8), bars: [] };
      lanes.set(workerId, lane);
    }
    return lane;
  };
  for (const run of history.runs) {
    if (run.endedAt < view.from) continue;
    laneOf(run.workerId).bars.push({
      taskId: run.taskId,
      jobId: run.jobId,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      outcome: run.outcome,
      segment: run.segment,
      ...place(run.startedAt, run.endedAt),
    });
  }
  // The status may still list an encode whose end the history already has.
  const ended = new Set(history.runs.map((r) => `${r.taskId}@${r.startedAt}`));
  for (const encode of encodes) {
    if (ended.has(`${encode.taskId}@${encode.startedAt}`)) continue;
    laneOf(encode.workerId).bars.push({
      taskId: encode.taskId,
      jobId: encode.jobId,
      startedAt: encode.startedAt,
      endedAt: history.to,
      outcome: 'running',
      segment: null,
      ...place(encode.startedAt, history.to),
    });
  }
  return [...lanes.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The figures above the charts. */
export function totals(history: FarmHistory): {
  done: number;
  failed: number;
  retried: number;
  perHour: number;
  secondsPerVideoMinute: number | null;
} {
  let done = 0;
  let failed = 0;
  let retried = 0;
  let renderSeconds = 0;
  let videoMinutes = 0;
  for (const run of history.runs) {
    if (run.outcome === 'done') {
      done++;
      renderSeconds += (run.endedAt - run.startedAt) / 1000;
      videoMinutes += run.videoSeconds / 60;
    } else if (run.outcome === 'failed') failed++;
    else retried++;
  }
  const hours = Math.max(1 / 60, (history.to - history.from) / 3_600_000);
  return {
    done,
    failed,
    retried,
    perHour: Math.round((done / hours) * 10) / 10,
    secondsPerVideoMinute: videoMinutes > 0 ? Math.round((renderSeconds / videoMinutes) * 10) / 10 : null,
  };
}

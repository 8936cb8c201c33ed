/**
 * The dashboard's figures from the coordinator's history, as pure functions: the queue over time, tasks
 * finished per interval, render time per minute of video, and a lane per node of what it encoded when.
 * Times on the charts are seconds since the epoch (uPlot's unit).
 */
import type { FarmHistory, NodeView, RunningEncode, TaskRun } from '../../../shared/contract.ts';

/** uPlot's data: the x values, then one array of y values per series. */
export type ChartData = [number[], ...(number | null)[][]];

const toSeconds = (ms: number) => ms / 1000;

/** About sixty bars over the window, never less than a minute each. */
export function bucketMsFor(windowMs: number): number {
  return Math.max(60_000, Math.ceil(windowMs / 60 / 60_000) * 60_000);
}

/** Queued and running tasks at each sample; the last value is carried to the window's end. */
export function queueSeries(history: FarmHistory): ChartData {
  const xs = history.samples.map((s) => toSeconds(s.at));
  const queued: (number | null)[] = history.samples.map((s) => s.queued);
  const running: (number | null)[] = history.samples.map((s) => s.running);
  const last = history.samples.at(-1);
  if (last && last.at < history.to) {
    xs.push(toSeconds(history.to));
    queued.push(last.queued);
    running.push(last.running);
  }
  return [xs, queued, running];
}

/** Tasks done and failed per bucket, over the whole window (empty buckets are 0, so the axis is honest). */
export function throughputSeries(
  history: FarmHistory,
  bucketMs = bucketMsFor(history.to - history.from),
): ChartData {
  const start = Math.floor(history.from / bucketMs) * bucketMs;
  const count = Math.max(1, Math.ceil((history.to - start) / bucketMs));
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
): TimelineLane[] {
  const span = Math.max(1, history.to - history.from);
  const place = (startedAt: number, endedAt: number) => {
    const from = Math.max(history.from, startedAt);
    const to = Math.min(history.to, Math.max(from, endedAt));
    return { left: ((from - history.from) / span) * 100, width: Math.max(0.4, ((to - from) / span) * 100) };
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
    if (run.endedAt < history.from) continue;
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
  for (const encode of encodes) {
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

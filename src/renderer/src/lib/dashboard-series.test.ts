import { describe, expect, it } from 'vitest';
import type { FarmHistory, NodeView, TaskRun } from '../../../shared/contract.ts';
import {
  bucketMsFor,
  queueSeries,
  renderRateSeries,
  throughputSeries,
  timelineLanes,
  totals,
  viewOf,
} from './dashboard-series.ts';

const MIN = 60_000;
const run = (change: Partial<TaskRun>): TaskRun => ({
  taskId: 't',
  jobId: 'job-1',
  originNodeId: 'o',
  workerId: 'w1',
  startedAt: 0,
  endedAt: MIN,
  outcome: 'done',
  videoSeconds: 120,
  segment: null,
  ...change,
});
const node = (id: string, name: string) => ({ id, name }) as NodeView;

const history: FarmHistory = {
  coordinatorId: 'c',
  from: 0,
  to: 10 * MIN,
  samples: [
    { at: 0, queued: 3, running: 0 },
    { at: 2 * MIN, queued: 1, running: 2 },
  ],
  runs: [
    run({ taskId: 'a', startedAt: 1 * MIN, endedAt: 2 * MIN, workerId: 'w1' }), // 60 s for 2 min of video
    run({ taskId: 'b', startedAt: 1 * MIN, endedAt: 4 * MIN, workerId: 'w2', videoSeconds: 90 }),
    run({ taskId: 'c', startedAt: 5 * MIN, endedAt: 5.5 * MIN, workerId: 'w1', outcome: 'failed' }),
    run({ taskId: 'd', startedAt: 6 * MIN, endedAt: 7 * MIN, workerId: 'w2', outcome: 'retried' }),
  ],
};

describe('dashboard series', () => {
  it('carries the queue’s last sample to the window’s end (seconds on the x axis)', () => {
    expect(queueSeries(history)).toEqual([
      [0, 120, 600],
      [3, 1, 1],
      [0, 2, 2],
    ]);
    // With the queue as the status has it now, the line ends there.
    expect(queueSeries(history, history, { queued: 0, running: 0 })).toEqual([
      [0, 120, 600],
      [3, 1, 0],
      [0, 2, 0],
    ]);
  });

  it('counts tasks done and failed per bucket, with empty buckets at 0', () => {
    const [xs, done, failed] = throughputSeries(history, history, 5 * MIN);
    expect(xs).toEqual([150, 450]);
    expect(done).toEqual([2, 0]);
    expect(failed).toEqual([0, 1]);
  });

  it('gives each finished render its seconds per minute of video', () => {
    // a: 60 s / 2 min = 30; b: 180 s / 1.5 min = 120.
    expect(renderRateSeries(history)).toEqual([
      [120, 240],
      [30, 120],
    ]);
  });

  it('puts each node’s tasks on its lane, where and as long as they ran, with what runs now', () => {
    const lanes = timelineLanes(
      history,
      [{ taskId: 'e', jobId: 'job-9', originNodeId: 'o', workerId: 'w3', startedAt: 9 * MIN, progress: 0.5 }],
      [node('w1', 'mini'), node('w2', 'studio'), node('w3', 'attic')],
    );
    expect(lanes.map((l) => [l.name, l.bars.map((b) => `${b.taskId}:${b.outcome}`)])).toEqual([
      ['attic', ['e:running']],
      ['mini', ['a:done', 'c:failed']],
      ['studio', ['b:done', 'd:retried']],
    ]);
    const [attic, mini] = lanes;
    // An encode the history already saw end (the status lags a second behind) is not drawn twice.
    const stale = {
      taskId: 'a',
      jobId: 'job-1',
      originNodeId: 'o',
      workerId: 'w1',
      startedAt: MIN,
      progress: 1,
    };
    expect(timelineLanes(history, [stale], [])[0]?.bars.map((b) => b.taskId)).toEqual(['a', 'c']);
    expect(mini?.bars[0]).toMatchObject({ left: 10, width: 10 });
    expect(attic?.bars[0]).toMatchObject({ left: 90, width: 10 });
  });

  it('narrows a quiet window to where things happened, with a margin, in round buckets', () => {
    const sixHours = {
      ...history,
      from: -6 * 60 * MIN + 10 * MIN,
      samples: [{ at: -6 * 60 * MIN, queued: 0, running: 0 }, ...history.samples.slice(1)],
    };
    // The first thing in the window: runs a and b started at 1 min; 5 % of 9 min is 27 s.
    expect(viewOf(sixHours)).toEqual({ from: MIN - 27_000, to: 10 * MIN });
    expect(viewOf({ ...history, samples: [], runs: [] })).toEqual({ from: 0, to: 10 * MIN });
    // The queue line starts where it stood when the view opens.
    expect(queueSeries(sixHours, { from: MIN, to: 10 * MIN })[1]).toEqual([0, 1, 1]);
    expect(bucketMsFor(10 * MIN)).toBe(30_000);
    expect(bucketMsFor(6 * 60 * MIN)).toBe(15 * MIN);
  });

  it('totals what the window holds', () => {
    // 240 s of rendering for 3.5 min of video.
    expect(totals(history)).toEqual({
      done: 2,
      failed: 1,
      retried: 1,
      perHour: 12,
      secondsPerVideoMinute: 68.6,
    });
  });
});

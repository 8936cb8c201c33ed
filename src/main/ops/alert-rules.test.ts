import { describe, expect, it } from 'vitest';
import type { TaskRun } from '../../shared/contract.ts';
import { alertChanges, farmAlerts, summaryAlert, summaryDue } from './alert-rules.ts';

const MIN = 60_000;
const thresholds = { queueCritical: 10, renderWarningMs: 30 * MIN };
const idle = { queued: 0, encodes: [] };
const encode = (taskId: string, startedAt: number) => ({
  taskId,
  jobId: `job-${taskId}`,
  workerId: 'mini',
  startedAt,
});

describe('farmAlerts (pure: farm state, thresholds, clock)', () => {
  it('is critical only when MORE tasks wait than the threshold, and keeps its start while it lasts', () => {
    expect(farmAlerts({ ...idle, queued: 10 }, thresholds, 1000)).toEqual([]);
    const [first] = farmAlerts({ ...idle, queued: 11 }, thresholds, 1000);
    expect(first).toMatchObject({
      id: 'queue-backlog',
      severity: 'critical',
      kind: 'queue-backlog',
      since: 1000,
    });
    expect(first?.message).toBe("11 tasks are waiting in the farm's queue (more than 10)");
    expect(first?.details).toEqual({ queued: 11, threshold: 10 });
    // A second later, still backed up: the same alert, the same start, the new count.
    const [later] = farmAlerts({ ...idle, queued: 14 }, thresholds, 2000, first ? [first] : []);
    expect(later).toMatchObject({ id: 'queue-backlog', since: 1000, details: { queued: 14, threshold: 10 } });
    // A setting of 1 means "more than one waits".
    expect(farmAlerts({ ...idle, queued: 2 }, { ...thresholds, queueCritical: 1 }, 0)).toHaveLength(1);
    expect(farmAlerts({ ...idle, queued: 1 }, { ...thresholds, queueCritical: 1 }, 0)).toHaveLength(0);
  });

  it('warns once per render that runs past its time, from the moment it passed it', () => {
    const start = 5 * MIN;
    const state = { queued: 0, encodes: [encode('a', start), encode('b', start + 20 * MIN)] };
    expect(farmAlerts(state, thresholds, start + 30 * MIN)).toEqual([]);
    const alerts = farmAlerts(state, thresholds, start + 31 * MIN);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      id: 'long-render:a',
      severity: 'warning',
      since: start + 30 * MIN,
      details: {
        taskId: 'a',
        jobId: 'job-a',
        workerId: 'mini',
        runningSeconds: 31 * 60,
        thresholdSeconds: 1800,
      },
    });
    expect(alerts[0]?.message).toBe('a render of job job-a on mini has run for 31:00 (more than 30:00)');
  });

  // Found by attacking the farm's controls: resolved and raised again with each retry of its task.
  it('keeps a long render’s alert while its task is between two leases, and resolves it after', () => {
    const start = 5 * MIN;
    const running = { queued: 0, encodes: [encode('a', start)] };
    const raised = farmAlerts(running, thresholds, start + 31 * MIN);
    const between = farmAlerts({ queued: 1, encodes: [] }, thresholds, start + 31 * MIN + 5000, raised);
    expect(alertChanges(raised, between)).toEqual({ raised: [], resolved: [] });
    const again = farmAlerts(running, thresholds, start + 31 * MIN + 8000, between);
    expect(alertChanges(between, again)).toEqual({ raised: [], resolved: [] });
    const over = farmAlerts({ queued: 0, encodes: [] }, thresholds, start + 32 * MIN, again);
    expect(alertChanges(again, over).resolved.map((a) => a.id)).toEqual(['long-render:a']);
  });
});

describe('the summary', () => {
  const run = (
    outcome: TaskRun['outcome'],
    endedAt: number,
    renderMs: number,
    videoSeconds: number,
  ): TaskRun => ({
    taskId: `t${endedAt}`,
    jobId: 'j',
    originNodeId: 'o',
    workerId: 'w',
    startedAt: endedAt - renderMs,
    endedAt,
    outcome,
    videoSeconds,
    segment: null,
  });

  it('is due once a period, counted from the last one', () => {
    expect(summaryDue(0, 24 * 60 * MIN, 24 * 60 * MIN - 1)).toBe(false);
    expect(summaryDue(0, 24 * 60 * MIN, 24 * 60 * MIN)).toBe(true);
    expect(summaryDue(0, 0, 10 ** 12)).toBe(false);
  });

  it('counts done, failed and retried in its period and the render time per minute of video', () => {
    const runs = [
      run('done', 100, 60_000, 120), // 60 s for 2 min of video
      run('done', 200, 30_000, 30), // 30 s for 0.5 min
      run('failed', 300, 5_000, 60),
      run('retried', 400, 5_000, 60),
      run('done', 5000, 1, 60), // after the period
    ];
    const alert = summaryAlert(runs, 0, 1000);
    expect(alert).toMatchObject({
      id: 'daily-summary:1000',
      severity: 'info',
      kind: 'daily-summary',
      since: 1000,
    });
    // (60 + 30) s of rendering over 2.5 min of video.
    expect(alert.details).toEqual({
      from: 0,
      to: 1000,
      done: 2,
      failed: 1,
      retried: 1,
      videoSeconds: 150,
      renderSecondsPerVideoMinute: 36,
    });
    expect(alert.message).toBe(
      'farm summary: 2 done, 1 failed, 1 retried; 36 s of rendering per minute of video (2:30 of video)',
    );
    expect(summaryAlert([], 0, 1000).message).toBe(
      'farm summary: 0 done, 0 failed, 0 retried; nothing was rendered',
    );
  });
});

describe('alertChanges', () => {
  it('names what was raised and what was resolved, by id', () => {
    const [backlog] = farmAlerts({ ...idle, queued: 20 }, thresholds, 0);
    const [long] = farmAlerts({ queued: 0, encodes: [encode('x', 0)] }, thresholds, 40 * MIN);
    if (!backlog || !long) throw new Error('no alerts');
    expect(alertChanges([backlog], [backlog, long])).toEqual({ raised: [long], resolved: [] });
    expect(alertChanges([backlog, long], [long])).toEqual({ raised: [], resolved: [backlog] });
  });
});

/**
 * The coordinator's alerts as a pure function of the farm's state, the thresholds and the clock (seed
 * 002's monitoring): critical when more tasks wait than the farm can work off, a warning for each render
 * running past its time, and a periodic info summary. No I/O here: alert-center.ts runs it every second
 * and sends what changed.
 */
import type { Alert, TaskRun } from '../../shared/contract.ts';
import { formatEta } from '../../shared/progress-rate.ts';
import { renderSecondsPerVideoMinute } from './task-runs.ts';

export interface AlertThresholds {
  /** Critical when MORE than this many tasks wait. */
  queueCritical: number;
  /** Warning when a render has run LONGER than this. */
  renderWarningMs: number;
}

/** What the rules read of the farm: the coordinator's queue and the encodes it leased out. */
export interface FarmState {
  queued: number;
  encodes: readonly { taskId: string; jobId: string; workerId: string; startedAt: number }[];
}

export const QUEUE_BACKLOG_ID = 'queue-backlog';

/**
 * The alerts in force now. `previous` are those in force before: a condition that lasts keeps its id and
 * its `since`, so it is announced once, not every second.
 */
export function farmAlerts(
  state: FarmState,
  thresholds: AlertThresholds,
  now: number,
  previous: readonly Alert[] = [],
): Alert[] {
  const sinceOf = (id: string, fallback: number) => previous.find((a) => a.id === id)?.since ?? fallback;
  const alerts: Alert[] = [];
  if (state.queued > thresholds.queueCritical) {
    alerts.push({
      id: QUEUE_BACKLOG_ID,
      severity: 'critical',
      kind: 'queue-backlog',
      message: `${state.queued} tasks are waiting in the farm's queue (more than ${thresholds.queueCritical})`,
      since: sinceOf(QUEUE_BACKLOG_ID, now),
      details: { queued: state.queued, threshold: thresholds.queueCritical },
    });
  }
  for (const encode of state.encodes) {
    const runningMs = now - encode.startedAt;
    if (runningMs <= thresholds.renderWarningMs) continue;
    const id = `long-render:${encode.taskId}`;
    alerts.push({
      id,
      severity: 'warning',
      kind: 'long-render',
      message: `a render of job ${encode.jobId.slice(0, 8)} on ${encode.workerId} has run for ${formatEta(runningMs)} (more than ${formatEta(thresholds.renderWarningMs)})`,
      since: sinceOf(id, encode.startedAt + thresholds.renderWarningMs),
      details: {
        taskId: encode.taskId,
        jobId: encode.jobId,
        workerId: encode.workerId,
        runningSeconds: Math.round(runningMs / 1000),
        thresholdSeconds: Math.round(thresholds.renderWarningMs / 1000),
        seenAt: now,
      },
    });
  }
  // A render between two leases of its task (an attempt failed, the next is being leased) is not over:
  // its alert stays a few seconds, where it was resolved and raised again with each retry (found by
  // attacking the farm's controls: four webhooks in four seconds).
  for (const alert of previous) {
    const seenAt = Number(alert.details?.seenAt);
    if (alert.kind === 'long-render' && !alerts.some((a) => a.id === alert.id) && now - seenAt < LEASE_GAP_MS)
      alerts.push(alert);
  }
  return alerts;
}

/** How long a long render's alert outlasts its task's absence from the running encodes. */
export const LEASE_GAP_MS = 10_000;

/** Whether the next summary is due: one per period, counted from the last (or from the start). */
export function summaryDue(lastAt: number, everyMs: number, now: number): boolean {
  return everyMs > 0 && now - lastAt >= everyMs;
}

/** The info summary of what the farm did in [from, to): done, failed, render time per video-minute. */
export function summaryAlert(runs: readonly TaskRun[], from: number, to: number): Alert {
  const inPeriod = runs.filter((r) => r.endedAt >= from && r.endedAt < to);
  const done = inPeriod.filter((r) => r.outcome === 'done').length;
  const failed = inPeriod.filter((r) => r.outcome === 'failed').length;
  const retried = inPeriod.filter((r) => r.outcome === 'retried').length;
  const perMinute = renderSecondsPerVideoMinute(inPeriod);
  const videoSeconds = inPeriod.filter((r) => r.outcome === 'done').reduce((s, r) => s + r.videoSeconds, 0);
  const rendering =
    perMinute === null
      ? 'nothing was rendered'
      : `${Math.round(perMinute)} s of rendering per minute of video (${formatEta(videoSeconds * 1000)} of video)`;
  return {
    id: `daily-summary:${to}`,
    severity: 'info',
    kind: 'daily-summary',
    message: `farm summary: ${done} done, ${failed} failed, ${retried} retried; ${rendering}`,
    since: to,
    details: {
      from,
      to,
      done,
      failed,
      retried,
      videoSeconds: Math.round(videoSeconds * 10) / 10,
      renderSecondsPerVideoMinute: perMinute === null ? null : Math.round(perMinute * 10) / 10,
    },
  };
}

/** What changed between two lists of alerts in force: raised (new ids) and resolved (gone ids). */
export function alertChanges(
  before: readonly Alert[],
  after: readonly Alert[],
): { raised: Alert[]; resolved: Alert[] } {
  const beforeIds = new Set(before.map((a) => a.id));
  const afterIds = new Set(after.map((a) => a.id));
  return {
    raised: after.filter((a) => !beforeIds.has(a.id)),
    resolved: before.filter((a) => !afterIds.has(a.id)),
  };
}

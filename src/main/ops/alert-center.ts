/**
 * Runs the alert rules (alert-rules.ts) every second while this node coordinates, keeps the alerts in
 * force, and announces each change once: to listeners (status, the app's notifications) and to the
 * webhook. A node that stops coordinating drops its alerts without announcing them resolved: the new
 * coordinator raises its own.
 */
import type { Alert, TaskRun } from '../../shared/contract.ts';
import { createLogger } from '../log/logger.ts';
import {
  type AlertThresholds,
  alertChanges,
  type FarmState,
  farmAlerts,
  summaryAlert,
  summaryDue,
} from './alert-rules.ts';
import type { WebhookQueue, WebhookTarget } from './webhook.ts';

const log = createLogger('Alerts');

export interface AlertSettings extends AlertThresholds {
  /** 0: no summaries. */
  summaryEveryMs: number;
}

export interface AlertChange {
  event: 'raised' | 'resolved';
  alert: Alert;
}

export interface AlertCenterDeps {
  /** The coordinator's queue and encodes, or null while this node does not coordinate. */
  state(): FarmState | null;
  /** Whether summaries are sent (a coordinator's, of its history); always when absent. */
  summaries?(): boolean;
  settings(): AlertSettings;
  /** Task attempts that ended in [from, to) (the history), for the summary. */
  runs(from: number, to: number): TaskRun[];
  /** Where alerts go, or null when no webhook is set up (or it has no secret). */
  webhook(): WebhookTarget | null;
  webhookQueue: WebhookQueue;
  coordinator: { id: string; name: string };
  clock: () => number;
}

export class AlertCenter {
  private readonly deps: AlertCenterDeps;
  private active: Alert[] = [];
  /** When the period of the next summary began; null while not coordinating. */
  private summaryFrom: number | null = null;
  private readonly listeners = new Set<(change: AlertChange) => void>();

  constructor(deps: AlertCenterDeps) {
    this.deps = deps;
  }

  /** The alerts in force, most severe first. */
  alerts(): Alert[] {
    const rank = { critical: 0, warning: 1, info: 2 } as const;
    return [...this.active].sort((a, b) => rank[a.severity] - rank[b.severity] || a.since - b.since);
  }

  subscribe(listener: (change: AlertChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  tick(): void {
    const now = this.deps.clock();
    const state = this.deps.state();
    if (!state) {
      this.active = [];
      this.summaryFrom = null;
      return;
    }
    const settings = this.deps.settings();
    // A summary covers the coordinator's own period: the first comes one period after it took over.
    this.summaryFrom ??= now;
    const conditions = farmAlerts(
      state,
      settings,
      now,
      this.active.filter((a) => a.kind !== 'daily-summary'),
    );
    let summary = this.active.find((a) => a.kind === 'daily-summary');
    if ((this.deps.summaries?.() ?? true) && summaryDue(this.summaryFrom, settings.summaryEveryMs, now)) {
      summary = summaryAlert(this.deps.runs(this.summaryFrom, now), this.summaryFrom, now);
      this.summaryFrom = now;
    }
    const next = summary ? [...conditions, summary] : conditions;
    const { raised, resolved } = alertChanges(this.active, next);
    this.active = next;
    for (const alert of raised) this.announce({ event: 'raised', alert });
    // A summary replaced by the next one is not "resolved": it was never a problem.
    for (const alert of resolved)
      if (alert.kind !== 'daily-summary') this.announce({ event: 'resolved', alert });
  }

  private announce(change: AlertChange): void {
    const { alert } = change;
    const fields = { alert: alert.id, severity: alert.severity, message: alert.message };
    if (change.event === 'raised') log.warn('alert raised', fields);
    else log.info('alert resolved', { alert: alert.id });
    for (const listener of this.listeners) listener(change);
    const target = this.deps.webhook();
    if (!target) return;
    this.deps.webhookQueue.push(target, {
      version: 1,
      event: change.event,
      alert,
      coordinator: this.deps.coordinator,
      sentAt: this.deps.clock(),
    });
  }
}

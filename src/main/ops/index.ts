/**
 * Monitoring of a farm node, assembled (by src/main/app): the history recorder and the alert center fed
 * by the coordinator's queue, the webhook, and the Prometheus metrics. One timer drives both while the
 * node coordinates. Everything it needs comes in as narrow functions; it reaches into nothing.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { Alert, FarmHistory, RunningEncode } from '../../shared/contract.ts';
import type { Db } from '../db/open.ts';
import { createLogger } from '../log/logger.ts';
import { ALERT_DEFAULTS, alertsSetting, HISTORY_DEFAULTS, historySetting } from '../settings/index.ts';
import { AlertCenter, type AlertChange } from './alert-center.ts';
import { HistoryRecorder } from './history-recorder.ts';
import { HistoryStore } from './history-store.ts';
import { OpsMetrics } from './metrics.ts';
import { endedRun, type ObservedTask } from './task-runs.ts';
import { WebhookQueue, type WebhookSecret, type WebhookTarget } from './webhook.ts';

export type { AlertChange } from './alert-center.ts';
export { OpsMetrics } from './metrics.ts';
export { type MetricsServer, startMetricsServer } from './metrics-server.ts';
export {
  readWebhookSecret,
  type WebhookSecret,
  WebhookSecretError,
  webhookSecretFromText,
} from './webhook.ts';

const log = createLogger('Ops');
const TICK_MS = 1000;
/** A shutdown waits this long at most for alerts still on their way to the webhook. */
const CLOSE_WAIT_MS = 3000;

/** The coordinator's work, as the node reports it while it coordinates. */
export interface CoordinatorWork {
  stats: { queued: number; running: number; done: number; failed: number };
  encodes: RunningEncode[];
}

export interface OpsDeps {
  db: Db;
  self: { id: string; name: string };
  /** The queue and its encodes while this node coordinates, else null. */
  coordinator(): CoordinatorWork | null;
  /**
   * The farm's queue as this node counts it: the coordinator's (LAN mode, on the coordinator only), or
   * the shared queues every node sees (Redis mode: each node then raises the backlog alert itself).
   */
  queue?(): Promise<CoordinatorWork['stats'] | null>;
  /** This node's encode slots. */
  slots(): { total: number; busy: number; free: number } | null;
  /** `--alert-webhook` (else the `ops.alerts` setting's webhookUrl) and the webhook's secret. */
  webhook: { url?: string | undefined; secret: WebhookSecret | null };
  clock?: () => number;
  webhookQueue?: WebhookQueue;
}

export interface Ops {
  metrics: OpsMetrics;
  /** What the farm node tells and asks (farm-node.ts FarmMonitor). */
  monitor: {
    taskChanged(before: ObservedTask | undefined, after: ObservedTask): void;
    alerts(): Alert[];
    history(since: number): FarmHistory;
  };
  /** Alerts raised and resolved here, as they happen. */
  onAlert(listener: (change: AlertChange) => void): () => void;
  jobEnded(outcome: 'done' | 'failed' | 'cancelled'): void;
  /** What the timer runs each second: sample the queue, prune, check the alert rules. */
  tick(): void;
  start(): void;
  /** Stops the timer and waits (briefly) for the webhook deliveries under way. */
  close(): Promise<void>;
}

export function createOps(deps: OpsDeps): Ops {
  const clock = deps.clock ?? Date.now;
  const store = new HistoryStore(deps.db);
  const webhookQueue = deps.webhookQueue ?? new WebhookQueue();
  const recorder = new HistoryRecorder({
    store,
    queue: () => deps.coordinator()?.stats ?? null,
    settings: fresh(clock, () => {
      const value = historySetting.read(deps.db) ?? {};
      return {
        retentionMs: (value.retentionDays ?? HISTORY_DEFAULTS.retentionDays) * 86_400_000,
        sampleMs: (value.sampleSeconds ?? HISTORY_DEFAULTS.sampleSeconds) * 1000,
      };
    }),
    coordinatorId: deps.self.id,
    clock,
  });
  let warnedNoSecret = false;
  const settingsUrl = fresh(clock, () => alertsSetting.read(deps.db)?.webhookUrl);
  const webhook = (): WebhookTarget | null => {
    const url = deps.webhook.url ?? settingsUrl();
    if (!url) return null;
    if (!deps.webhook.secret) {
      if (!warnedNoSecret) log.warn('alerts are not sent to the webhook: it has no secret to sign them with');
      warnedNoSecret = true;
      return null;
    }
    return { url, secret: deps.webhook.secret };
  };
  // A queue counted elsewhere (Redis) is read by the tick, once at a time, for the sync alert rules.
  let sharedQueued: number | null = null;
  let counting = false;
  let countedAt = Number.NEGATIVE_INFINITY;
  const countSharedQueue = () => {
    if (counting || !deps.queue || deps.coordinator() || clock() - countedAt < SHARED_COUNT_MS) return;
    counting = true;
    countedAt = clock();
    void deps
      .queue()
      .then((stats) => {
        sharedQueued = deps.coordinator() ? null : (stats?.queued ?? null);
      })
      .catch((error: unknown) => log.debug('counting the queue failed', { error: String(error) }))
      .finally(() => {
        counting = false;
      });
  };
  const alerts = new AlertCenter({
    state: () => {
      const work = deps.coordinator();
      if (work) return { queued: work.stats.queued, encodes: work.encodes };
      return sharedQueued === null ? null : { queued: sharedQueued, encodes: [] };
    },
    // Summaries come from the coordinator's history: a node watching a shared queue has none.
    summaries: () => deps.coordinator() !== null,
    settings: fresh(clock, () => {
      const value = alertsSetting.read(deps.db) ?? {};
      return {
        queueCritical: value.queueCritical ?? ALERT_DEFAULTS.queueCritical,
        renderWarningMs: (value.renderWarningSeconds ?? ALERT_DEFAULTS.renderWarningSeconds) * 1000,
        summaryEveryMs: (value.summaryEveryHours ?? ALERT_DEFAULTS.summaryEveryHours) * 3_600_000,
      };
    }),
    runs: (from, to) => store.runs(from, to),
    webhook,
    webhookQueue,
    coordinator: deps.self,
    clock,
  });
  const metrics = new OpsMetrics({
    queue: async () => deps.coordinator()?.stats ?? (await deps.queue?.()) ?? null,
    slots: () => deps.slots(),
    alerts: async () => alerts.alerts(),
  });
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    try {
      recorder.tick();
      countSharedQueue();
      alerts.tick();
    } catch (error) {
      log.warn('monitoring tick failed', { error: String(error) });
    }
  };
  return {
    metrics,
    monitor: {
      taskChanged(before, after) {
        const run = endedRun(before, after);
        if (!run) return;
        recorder.record(run);
        metrics.observeRun(run);
      },
      alerts: () => alerts.alerts(),
      history: (since) => recorder.history(since),
    },
    onAlert: (listener) => alerts.subscribe(listener),
    jobEnded: (outcome) => metrics.jobEnded(outcome),
    tick,
    start() {
      timer ??= setInterval(tick, TICK_MS);
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      await Promise.race([webhookQueue.idle(), sleep(CLOSE_WAIT_MS)]);
    },
  };
}

/** A queue shared by every node (Redis) is counted for the alert rules at most this often. */
const SHARED_COUNT_MS = 5000;

/** Settings are read at most this often: a change applies within seconds, a bad row warns at that pace. */
const SETTINGS_FRESH_MS = 5000;

function fresh<T>(clock: () => number, read: () => T): () => T {
  let cached: { at: number; value: T } | null = null;
  return () => {
    const now = clock();
    if (!cached || now - cached.at >= SETTINGS_FRESH_MS || now < cached.at)
      cached = { at: now, value: read() };
    return cached.value;
  };
}

/**
 * The node's metrics in Prometheus's text format (prom-client), served by `vfo node --metrics-listen`.
 * Each node reports what it saw: the farm queue and the renders while it coordinates (a farm-wide figure
 * is the sum over the nodes, so a coordinator change counts nothing twice), its own worker slots, and
 * the jobs it ran as their origin.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Alert, TaskRun } from '../../shared/contract.ts';

export interface MetricsSources {
  /** The farm queue's tasks by state, or null when this node does not know them now. */
  queue(): Promise<{ queued: number; running: number; done: number; failed: number } | null>;
  /** This node's encode slots, or null when it is no farm node. */
  slots(): { total: number; busy: number; free: number } | null;
  /** The alerts in force (the coordinator's). */
  alerts(): Promise<readonly Alert[]>;
}

/** Renders take seconds to hours: buckets from 5 s to 2 h. */
const RENDER_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

export class OpsMetrics {
  readonly registry = new Registry();
  private readonly renderSeconds: Histogram;
  private readonly retries: Counter;
  private readonly jobs: Counter<'outcome'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    new Gauge({
      name: 'vfo_queue_jobs',
      help: "Tasks in the farm's queue by state (reported by the coordinator).",
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        const queue = await sources.queue().catch(() => null);
        if (!queue) return;
        for (const state of ['queued', 'running', 'done', 'failed'] as const)
          this.set({ state }, queue[state]);
      },
    });
    new Gauge({
      name: 'vfo_node_slots',
      help: "This node's encode slots: free, busy, or unavailable (paused, draining or yielding to its user).",
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        const slots = sources.slots();
        if (!slots) return;
        this.set({ state: 'free' }, slots.free);
        this.set({ state: 'busy' }, slots.busy);
        this.set({ state: 'unavailable' }, Math.max(0, slots.total - slots.free - slots.busy));
      },
    });
    new Gauge({
      name: 'vfo_alerts',
      help: 'Alerts in force, by severity.',
      labelNames: ['severity'],
      registers,
      async collect() {
        const alerts = await sources.alerts().catch(() => []);
        for (const severity of ['critical', 'warning', 'info'] as const)
          this.set({ severity }, alerts.filter((a) => a.severity === severity).length);
      },
    });
    this.renderSeconds = new Histogram({
      name: 'vfo_render_seconds',
      help: 'Wall time of each finished render (one farm task, lease granted to video accepted).',
      buckets: RENDER_BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: 'vfo_task_retries_total',
      help: 'Farm task attempts lost (worker failure, expired lease) and put back in the queue.',
      registers,
    });
    this.jobs = new Counter({
      name: 'vfo_jobs_total',
      help: 'Jobs this node ran as their origin that ended, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['done', 'failed', 'cancelled']) this.jobs.inc({ outcome }, 0);
  }

  /** A task attempt ended at this coordinator. */
  observeRun(run: TaskRun): void {
    if (run.outcome === 'done') this.renderSeconds.observe((run.endedAt - run.startedAt) / 1000);
    else if (run.outcome === 'retried') this.retries.inc();
  }

  jobEnded(outcome: 'done' | 'failed' | 'cancelled'): void {
    this.jobs.inc({ outcome });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

import type Database from 'better-sqlite3';
import { createLogger } from '../../log/logger.ts';
import { type FarmClient, FarmHttpError, type Peer } from '../net/index.ts';
import {
  type Assignment,
  type Clock,
  createSqliteTaskStore,
  FarmQueue,
  FINISHED_TASK_RETENTION_MS,
  type Task,
} from '../queue/index.ts';
import type { LeaseOffer } from './schemas.ts';

const log = createLogger('FarmCoordinator');

const TICK_MS = 250;

/** Pruning walks the whole queue: once an hour is plenty for a week's retention. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * The queue and the scheduler loop of the node that is coordinator: tasks by priority, leases to the
 * least loaded capable worker, expired leases requeued. Dispatch is a push to the worker.
 */
export class Coordinator {
  readonly queue: FarmQueue;
  private readonly client: FarmClient;
  private readonly self: () => Peer;
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(deps: {
    sqlite: Database.Database;
    client: FarmClient;
    self: () => Peer;
    clock?: Clock;
    retentionMs?: number;
    /** Monitoring's view of every task change (farm-queue.ts `observer`). */
    observeTasks?: (before: Task | undefined, after: Task) => void;
    /** The `farm.blocklist` setting: tasks of one job a worker may fail before it is blocked for it. */
    jobFailureLimit?: () => number;
  }) {
    this.clock = deps.clock ?? { now: () => Date.now() };
    this.retentionMs = deps.retentionMs ?? FINISHED_TASK_RETENTION_MS;
    this.queue = new FarmQueue({
      clock: this.clock,
      store: createSqliteTaskStore(deps.sqlite),
      ...(deps.observeTasks ? { observer: deps.observeTasks } : {}),
      ...(deps.jobFailureLimit ? { jobFailureLimit: deps.jobFailureLimit } : {}),
    });
    this.client = deps.client;
    this.self = deps.self;
  }

  /** Starts a term of this node as coordinator (again, after stepping down: the queue is kept). */
  start(): void {
    this.queue.beginTerm();
    this.timer ??= setInterval(() => void this.tick(), TICK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get active(): boolean {
    return this.timer !== null;
  }

  /** Expire what was not renewed, grant what can be granted, push each grant to its worker. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      this.pruneIfDue();
      const { expired, assignments } = this.queue.tick();
      for (const lease of expired) {
        log.warn('lease expired', { lease: lease.id, task: lease.taskId, worker: lease.workerId });
        await this.notifyIfFailed(lease.taskId);
      }
      // Jobs only blocked workers could run, found by the queue's periodic check.
      await this.notifyQueueFailures();
      await Promise.all(assignments.map((a) => this.dispatch(a)));
    } finally {
      this.ticking = false;
    }
  }

  /** Forgets tasks finished longer ago than the retention, at most once per PRUNE_EVERY_MS. */
  private pruneIfDue(): void {
    const now = this.clock.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    this.queue.pruneFinished(now - this.retentionMs);
  }

  private async dispatch({ lease, task, worker }: Assignment): Promise<void> {
    const offer: LeaseOffer = {
      leaseId: lease.id,
      taskId: task.id,
      jobId: task.jobId,
      originUrl: task.originUrl,
      originNodeId: task.originNodeId,
      coordinatorUrl: this.self().url,
      coordinatorId: this.self().id,
      // Checked when the task was submitted (farm-routes.ts).
      plan: task.plan as LeaseOffer['plan'],
    };
    // Logged before it is sent: a worker may take the lease and finish it under the next coordinator
    // though this one dies before hearing its answer ("task leased" below is logged only after it).
    log.info('lease offered', { task: task.id, lease: lease.id, worker: worker.id });
    try {
      await this.client.json({ url: worker.url, id: worker.id }, 'POST', '/farm/v1/leases', offer);
      log.info('task leased', { task: task.id, lease: lease.id, worker: worker.id });
    } catch (error) {
      if (error instanceof FarmHttpError && error.code === 'busy') {
        this.queue.returnLease(lease.id, 'busy');
        return;
      }
      // Not delivered (or not answered): nothing the task or the worker did.
      if (error instanceof FarmHttpError && (error.kind === 'unreachable' || error.kind === 'timeout')) {
        log.warn('offer not delivered; requeued', { task: task.id, worker: worker.id, error: String(error) });
        this.queue.returnLease(lease.id, 'unreached');
        return;
      }
      log.warn('dispatch failed; requeued', { task: task.id, worker: worker.id, error: String(error) });
      this.queue.fail(lease.id, `dispatch to ${worker.id} failed`, { retryable: true });
      await this.notifyIfFailed(task.id);
    }
  }

  /**
   * A task the farm gave up on is reported to its origin, whose job then fails visibly (and can be
   * retried); so is every task the queue failed on its own meanwhile (its job's workers all blocked).
   */
  async notifyIfFailed(taskId: string): Promise<void> {
    await this.notifyOne(taskId);
    await this.notifyQueueFailures();
  }

  private async notifyQueueFailures(): Promise<void> {
    for (const id of this.queue.takeFailed()) await this.notifyOne(id);
  }

  private async notifyOne(taskId: string): Promise<void> {
    const task = this.queue.getTask(taskId);
    if (task?.status !== 'failed') return;
    await this.client
      .json({ url: task.originUrl, id: task.originNodeId }, 'POST', `/farm/v1/tasks/${taskId}/failed`, {
        reason: task.lastError ?? 'the farm gave up on this task',
      })
      .catch((error: unknown) =>
        log.warn('could not tell the origin', { task: taskId, error: String(error) }),
      );
  }
}

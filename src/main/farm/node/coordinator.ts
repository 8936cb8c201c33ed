import type Database from 'better-sqlite3';
import { createLogger } from '../../log/logger.ts';
import { type FarmClient, FarmHttpError, type Peer } from '../net/index.ts';
import { type Assignment, createSqliteTaskStore, FarmQueue } from '../queue/index.ts';
import type { LeaseOffer } from './schemas.ts';

const log = createLogger('FarmCoordinator');

const TICK_MS = 250;

/**
 * The queue and the scheduler loop of the node that is coordinator: tasks by priority, leases to the
 * least loaded capable worker, expired leases requeued. Dispatch is a push to the worker.
 */
export class Coordinator {
  readonly queue: FarmQueue;
  private readonly client: FarmClient;
  private readonly self: () => Peer;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;

  constructor(deps: { sqlite: Database.Database; client: FarmClient; self: () => Peer }) {
    this.queue = new FarmQueue({
      clock: { now: () => Date.now() },
      store: createSqliteTaskStore(deps.sqlite),
    });
    this.client = deps.client;
    this.self = deps.self;
  }

  start(): void {
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
      const { expired, assignments } = this.queue.tick();
      for (const lease of expired) {
        log.warn('lease expired', { lease: lease.id, task: lease.taskId, worker: lease.workerId });
        await this.notifyIfFailed(lease.taskId);
      }
      await Promise.all(assignments.map((a) => this.dispatch(a)));
    } finally {
      this.ticking = false;
    }
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
    try {
      await this.client.json({ url: worker.url, id: worker.id }, 'POST', '/farm/v1/leases', offer);
      log.info('task leased', { task: task.id, lease: lease.id, worker: worker.id });
    } catch (error) {
      if (error instanceof FarmHttpError && error.code === 'busy') {
        this.queue.returnLease(lease.id);
        return;
      }
      log.warn('dispatch failed; requeued', { task: task.id, worker: worker.id, error: String(error) });
      this.queue.fail(lease.id, `dispatch to ${worker.id} failed`, { retryable: true });
      await this.notifyIfFailed(task.id);
    }
  }

  /** A task the farm gave up on is reported to its origin, whose job then fails visibly (and can be retried). */
  async notifyIfFailed(taskId: string): Promise<void> {
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

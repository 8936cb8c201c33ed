/**
 * The coordinator's farm queue: tasks in, leases out, results fenced by lease id. Pure logic on an
 * injected clock — the node runtime wires it to HTTP, calls `tick()` on every heartbeat and on a
 * 250 ms timer, and `schedule()` right after submit/complete/fail so a freed slot is refilled at once.
 * Every method that takes `now` defaults it to the clock. Input from the network is validated here
 * (FarmInputError), so the HTTP layer can pass parsed JSON straight through.
 */
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../log/logger.ts';
import type { QueueConfig, QueueContext } from './context.ts';
import { applyHeartbeat } from './heartbeat.ts';
import {
  cancelTask,
  completeLease,
  expireLeases,
  failLease,
  requeueLeasesOf,
  returnLease,
  withdrawTask,
} from './lease-endings.ts';
import { grantLeases, workerStateOf } from './lease-grants.ts';
import { PendingLeases } from './pending-leases.ts';
import { QueueState } from './queue-state.ts';
import { applyAnnouncements } from './rebuild.ts';
import { parseAnnouncement, parseHeartbeat, parseTaskInput, parseWorkerInfo } from './schemas.ts';
import { retryTask, submitTask } from './submissions.ts';
import type { TaskStore } from './task-store.ts';
import type {
  Assignment,
  Clock,
  CompleteResult,
  FailResult,
  HeartbeatReply,
  Lease,
  QueueStats,
  RebuildResult,
  Task,
  WithdrawResult,
  WorkerState,
} from './types.ts';
import { type WorkerRecord, WorkerRegistry } from './worker-registry.ts';

const log = createLogger('FarmQueue');

export interface FarmQueueOptions extends Partial<QueueConfig> {
  clock: Clock;
  store: TaskStore;
  /** A worker not heard from for this long gets no new leases (FARM.md: a peer is down after 3 s). */
  workerStaleMs?: number;
  newLeaseId?: () => string;
}

export const FARM_QUEUE_DEFAULTS = {
  /** FARM.md: a lease not renewed for 5 s is requeued. */
  leaseTimeoutMs: 5000,
  workerStaleMs: 3000,
  /** Leases a task may lose (failure, expiry, removal) before it fails for good. */
  maxAttempts: 5,
  /** A worker that failed a task this often is not given it again, unless no other capable worker exists. */
  maxFailuresPerWorker: 2,
} as const;

/** 128 random bits: a lease id is the capability to complete a task, so it must not be guessable. */
export const randomLeaseId = (): string => randomBytes(16).toString('hex');

export class FarmQueue {
  private readonly clock: Clock;
  private readonly ctx: QueueContext;
  private readonly newLeaseId: () => string;

  constructor(options: FarmQueueOptions) {
    this.clock = options.clock;
    const config: QueueConfig = {
      leaseTimeoutMs: options.leaseTimeoutMs ?? FARM_QUEUE_DEFAULTS.leaseTimeoutMs,
      maxAttempts: options.maxAttempts ?? FARM_QUEUE_DEFAULTS.maxAttempts,
      maxFailuresPerWorker: options.maxFailuresPerWorker ?? FARM_QUEUE_DEFAULTS.maxFailuresPerWorker,
    };
    this.ctx = {
      state: new QueueState(options.store),
      workers: new WorkerRegistry(options.workerStaleMs ?? FARM_QUEUE_DEFAULTS.workerStaleMs),
      pending: new PendingLeases(),
      config,
    };
    this.newLeaseId = options.newLeaseId ?? randomLeaseId;
    const now = this.clock.now();
    // Renewals are not stored: every stored lease gets a fresh timeout, so its worker can renew it.
    const fresh = { renewedAt: now, expiresAt: now + config.leaseTimeoutMs };
    const stored = options.store.loadAll();
    this.ctx.state.load(
      stored.map((task) => (task.lease ? { ...task, lease: { ...task.lease, ...fresh } } : task)),
    );
  }

  /** Idempotent by task id: a known task comes back as it is (a done task stays done). */
  submit(input: unknown, now = this.clock.now()): Task {
    const task = submitTask(this.ctx, parseTaskInput(input), now);
    log.debug('task submitted', {
      task: task.id,
      job: task.jobId,
      origin: task.originNodeId,
      status: task.status,
    });
    return task;
  }

  /** Requeue a failed (or done) task with a clean slate: only on its origin's explicit request. */
  retry(taskId: string, now = this.clock.now()): Task | undefined {
    const task = retryTask(this.ctx, taskId, now);
    log.info('task retry requested', { task: taskId, status: task?.status });
    return task;
  }

  getTask(taskId: string): Task | undefined {
    return this.ctx.state.get(taskId);
  }

  registerWorker(info: unknown, now = this.clock.now()): WorkerState {
    const parsed = parseWorkerInfo(info);
    const record = this.ctx.workers.register(parsed, this.ctx.state.runningOf(parsed.id), now);
    log.info('worker registered', {
      worker: record.id,
      encoders: record.encoders,
      slots: record.maxConcurrency,
    });
    return workerStateOf(this.ctx, record);
  }

  /** Renews the listed leases that are this worker's; returns the listed ones it must stop. */
  heartbeat(workerId: string, report: unknown, now = this.clock.now()): HeartbeatReply {
    return applyHeartbeat(this.ctx, workerId, parseHeartbeat(report), now);
  }

  /** Grants leases for as many queued tasks as free, capable workers allow (see scheduler.ts). */
  schedule(now = this.clock.now()): Assignment[] {
    const assignments = grantLeases(this.ctx, this.newLeaseId, now);
    for (const { lease } of assignments) {
      log.debug('lease granted', { task: lease.taskId, lease: lease.id, worker: lease.workerId });
    }
    return assignments;
  }

  /** Leases not renewed for leaseTimeoutMs: their tasks go back to the queue, to get a new lease id. */
  expire(now = this.clock.now()): Lease[] {
    return expireLeases(this.ctx, now);
  }

  /** What the runtime runs on every heartbeat and on its 250 ms timer. */
  tick(now = this.clock.now()): { expired: Lease[]; assignments: Assignment[] } {
    return { expired: this.expire(now), assignments: this.schedule(now) };
  }

  /** Fencing: only the task's current lease completes it ('stale' otherwise). */
  complete(leaseId: string, now = this.clock.now()): CompleteResult {
    return completeLease(this.ctx, leaseId, now);
  }

  /** Retryable: back to the queue (counted against the worker); otherwise the task fails for good. */
  fail(leaseId: string, reason: string, options: { retryable: boolean }, now = this.clock.now()): FailResult {
    return failLease(this.ctx, leaseId, reason, options.retryable, now);
  }

  /** Its origin gave the task up: it is not (or no longer) encoded, and ends failed (see lease-endings.ts). */
  withdraw(taskId: string, originNodeId: string, now = this.clock.now()): WithdrawResult {
    return withdrawTask(this.ctx, taskId, originNodeId, now);
  }

  /** An operator ends a task; its origin must then be told (the coordinator does, see coordinator.ts). */
  cancel(taskId: string, operator: string, now = this.clock.now()): WithdrawResult {
    return cancelTask(this.ctx, taskId, operator, now);
  }

  /** The task a lease currently holds, and the lease (to decide who may report on it). */
  leaseOf(leaseId: string): { task: Task; lease: Lease } | undefined {
    const task = this.ctx.state.byLease(leaseId);
    return task?.lease ? { task, lease: task.lease } : undefined;
  }

  /** The worker refused the offer as busy: requeue without counting an attempt (see lease-endings.ts). */
  returnLease(leaseId: string, now = this.clock.now()): boolean {
    return returnLease(this.ctx, leaseId, now);
  }

  pauseWorker(workerId: string): boolean {
    return this.setFlags(workerId, { paused: true });
  }

  /** Clears both pause and drain. */
  resumeWorker(workerId: string): boolean {
    return this.setFlags(workerId, { paused: false, draining: false });
  }

  /** No new leases; the running ones finish. */
  drainWorker(workerId: string): boolean {
    return this.setFlags(workerId, { draining: true });
  }

  /** Forget a worker; its leases are requeued at once (new ids next time, so a late result is refused). */
  removeWorker(workerId: string, now = this.clock.now()): Lease[] {
    const requeued = requeueLeasesOf(this.ctx, workerId, now);
    this.ctx.workers.remove(workerId);
    this.ctx.pending.removeWorker(workerId);
    log.info('worker removed', { worker: workerId, requeued: requeued.length });
    return requeued;
  }

  /**
   * Start of a coordinator term: the queue becomes what the nodes announced (see rebuild.ts). Call it
   * once with what arrived in the collection window, then `announce` for each late announcement.
   */
  rebuild(announcements: readonly unknown[], now = this.clock.now()): RebuildResult {
    const result = applyAnnouncements(this.ctx, announcements.map(parseAnnouncement), now, true);
    log.info('queue rebuilt from announcements', { ...result });
    return result;
  }

  /** A late announcement, merged into the current queue without forgetting anything. */
  announce(announcement: unknown, now = this.clock.now()): RebuildResult {
    const result = applyAnnouncements(this.ctx, [parseAnnouncement(announcement)], now, false);
    log.info('announcement merged', { ...result });
    return result;
  }

  /**
   * Forgets done and failed (withdrawn included) tasks that finished before `before`: the coordinator's
   * retention (coordinator.ts). A task submitted again after that is a new task.
   */
  pruneFinished(before: number): string[] {
    const ids: string[] = [];
    for (const task of this.ctx.state.all()) {
      const finished = task.status === 'done' || task.status === 'failed';
      if (finished && (task.finishedAt ?? task.updatedAt) < before) ids.push(task.id);
    }
    this.ctx.state.commit([], ids);
    if (ids.length > 0) log.info('finished tasks pruned', { count: ids.length });
    return ids;
  }

  stats(): QueueStats {
    const { state, workers } = this.ctx;
    const running: Record<string, number> = {};
    for (const record of workers.all()) running[record.id] = state.runningOf(record.id);
    return {
      queued: state.count('queued'),
      running: state.count('leased'),
      done: state.count('done'),
      failed: state.count('failed'),
      workers: running,
    };
  }

  worker(workerId: string): WorkerState | undefined {
    const record = this.ctx.workers.get(workerId);
    return record && workerStateOf(this.ctx, record);
  }

  listWorkers(): WorkerState[] {
    return [...this.ctx.workers.all()].map((record) => workerStateOf(this.ctx, record));
  }

  private setFlags(workerId: string, flags: Partial<Pick<WorkerRecord, 'paused' | 'draining'>>): boolean {
    const record = this.ctx.workers.get(workerId);
    if (!record) return false;
    Object.assign(record, flags);
    log.info('worker flags changed', { worker: workerId, paused: record.paused, draining: record.draining });
    return true;
  }
}

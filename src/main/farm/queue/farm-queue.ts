/**
 * The coordinator's farm queue: tasks in, leases out, results fenced by lease id. Pure logic on an
 * injected clock — the node runtime wires it to HTTP, calls `tick()` on every heartbeat and on a
 * 250 ms timer, and `schedule()` right after submit/complete/fail so a freed slot is refilled at once.
 * Every method that takes `now` defaults it to the clock. Input from the network is validated here
 * (FarmInputError), so the HTTP layer can pass parsed JSON straight through.
 *
 * How it is built: every change to a task is a pure function of task-transitions.ts, and `commit` writes
 * the changed tasks to the store before it swaps them into memory, so memory never runs ahead of what a
 * restart reloads. Which queued task goes to which worker is the pure scheduler's answer (scheduler.ts);
 * what a new coordinator's queue becomes from the nodes' announcements is planned by rebuild.ts. Fencing:
 * every lease ending is looked up by the task's CURRENT lease id, so a lease that was requeued and
 * re-granted can no longer complete or fail anything. Workers are soft state (registrations, heartbeats,
 * the operator's pause/drain), never stored.
 */
import { randomBytes } from 'node:crypto';
import { QUEUE_VIEW_LIMITS, type RunningEncode } from '../../../shared/contract.ts';
import { compactRate } from '../../../shared/progress-rate.ts';
import { createLogger } from '../../log/logger.ts';
import { JobBlocks, type JobFailureKey, jobKeyOf } from './job-blocks.ts';
import { compareTasks, QueuedTaskIndex } from './queued-index.ts';
import { planRebuild } from './rebuild.ts';
import { type Candidate, isCapable, planAssignments } from './scheduler.ts';
import { parseAnnouncement, parseHeartbeat, parseTaskInput, parseWorkerInfo } from './schemas.ts';
import type { TaskStore } from './task-store.ts';
import {
  afterLostLease,
  completed,
  failedForGood,
  isFinished,
  newTask,
  operatorCancelReason,
  requeued,
  retried,
  unfinishedByOrigin,
  withLease,
} from './task-transitions.ts';
import type {
  AnnouncedLease,
  Assignment,
  Clock,
  CompleteResult,
  FailResult,
  HeartbeatReply,
  JobFailure,
  Lease,
  QueueStats,
  QueueView,
  RebuildResult,
  RequeueResult,
  Task,
  TaskInput,
  TaskStatus,
  TaskView,
  WithdrawResult,
  WorkerState,
} from './types.ts';

const log = createLogger('FarmQueue');

export interface QueueConfig {
  leaseTimeoutMs: number;
  maxAttempts: number;
}

export interface FarmQueueOptions extends Partial<QueueConfig> {
  clock: Clock;
  store: TaskStore;
  /** A worker not heard from for this long gets no new leases (FARM.md: a peer is down after 3 s). */
  workerStaleMs?: number;
  newLeaseId?: () => string;
  /**
   * Told of every stored change of a task, after it is applied (monitoring: a lease that ended is a
   * render done or lost). Renewals and progress are not changes. It must not throw into the queue.
   */
  observer?: (before: Task | undefined, after: Task) => void;
  /**
   * Tasks of one job a worker may fail before it gets no more of them (`farm.blocklist`); read when it
   * matters, so a change of the setting applies at once.
   */
  jobFailureLimit?: () => number;
  /**
   * A job is failed because every capable worker is blocked only after this long in office: a new
   * coordinator first hears the workers register again (a blocked one may simply be the first).
   */
  blockCheckGraceMs?: number;
  /** A registered worker not heard from for this long no longer counts as a worker the job may wait for. */
  workerGoneMs?: number;
}

export const FARM_QUEUE_DEFAULTS = {
  /** FARM.md: a lease not renewed for 5 s is requeued. */
  leaseTimeoutMs: 5000,
  workerStaleMs: 3000,
  /** Leases a task may lose (failure, expiry, removal) before it fails for good. */
  maxAttempts: 5,
  /** A worker that failed this many tasks of one job gets no more of that job (FARM.md, `farm.blocklist`). */
  jobFailureLimit: 3,
  blockCheckGraceMs: 10_000,
  workerGoneMs: 10 * 60_000,
} as const;

/**
 * Unfinished tasks one origin may have here: a node waits on at most 64 encodes of up to 32 segments
 * (2,048 tasks); a key holder submitting or announcing without end grew the queue, in memory and on
 * disk, without bound.
 */
export const MAX_UNFINISHED_PER_ORIGIN = 4096;

/** How often the queue looks for jobs that only blocked workers could run. */
const BLOCK_CHECK_EVERY_MS = 1000;
/** Failed tasks status keeps listing (with their reason) after they failed. */
const FAILED_VIEW_MS = 60 * 60_000;
/** Lease timeouts after a term begins in which workers' announced leases are adopted (late followers too). */
const ADOPT_LEASES_LEASE_TIMEOUTS = 3;

/** 128 random bits: a lease id is the capability to complete a task, so it must not be guessable. */
export const randomLeaseId = (): string => randomBytes(16).toString('hex');

/** A worker as the coordinator knows it, with its estimate of the worker's free slots. */
type WorkerRecord = Omit<WorkerState, 'running'>;

/**
 * A lease a worker announced to a new coordinator before any origin announced its task. Nodes announce
 * independently, so the worker often comes first: rather than cancel a running encode, the queue holds
 * its lease for one lease timeout (heartbeats keep it alive) and attaches it when the task arrives. If
 * no origin claims the task by then, the worker's next heartbeat cancels it.
 */
interface PendingLease extends AnnouncedLease {
  expiresAt: number;
}

export class FarmQueue {
  private readonly clock: Clock;
  private readonly store: TaskStore;
  private readonly config: QueueConfig;
  private readonly workerStaleMs: number;
  private readonly newLeaseId: () => string;
  private readonly observer: ((before: Task | undefined, after: Task) => void) | undefined;

  // The tasks and their indexes, changed only by commit() (and, for renewals, heartbeat()).
  private readonly tasks = new Map<string, Task>();
  private readonly queued = new QueuedTaskIndex();
  private readonly taskOfLease = new Map<string, string>();
  private readonly taskOfCompletedLease = new Map<string, string>();
  private readonly leasesOfWorker = new Map<string, Set<string>>();
  private readonly counts: Record<TaskStatus, number> = { queued: 0, leased: 0, done: 0, failed: 0 };

  private readonly workers = new Map<string, WorkerRecord>();
  private readonly pendingByLease = new Map<string, PendingLease>();
  private readonly pendingLeaseOfTask = new Map<string, string>();

  private readonly blocks: JobBlocks;
  private readonly jobFailureLimit: () => number;
  private readonly blockCheckGraceMs: number;
  private readonly workerGoneMs: number;
  private readonly startedAt: number;
  /** When this node's current term as coordinator began: unknown leases are adopted for a while after. */
  private termStartedAt: number;
  private lastBlockCheck = Number.NEGATIVE_INFINITY;
  /** Tasks the queue itself failed for good since the last `takeFailed()` (their origins must hear it). */
  private failedByQueue: string[] = [];

  constructor(options: FarmQueueOptions) {
    this.clock = options.clock;
    this.store = options.store;
    this.config = {
      leaseTimeoutMs: options.leaseTimeoutMs ?? FARM_QUEUE_DEFAULTS.leaseTimeoutMs,
      maxAttempts: options.maxAttempts ?? FARM_QUEUE_DEFAULTS.maxAttempts,
    };
    this.workerStaleMs = options.workerStaleMs ?? FARM_QUEUE_DEFAULTS.workerStaleMs;
    this.newLeaseId = options.newLeaseId ?? randomLeaseId;
    this.observer = options.observer;
    this.jobFailureLimit = options.jobFailureLimit ?? (() => FARM_QUEUE_DEFAULTS.jobFailureLimit);
    this.blockCheckGraceMs = options.blockCheckGraceMs ?? FARM_QUEUE_DEFAULTS.blockCheckGraceMs;
    this.workerGoneMs = options.workerGoneMs ?? FARM_QUEUE_DEFAULTS.workerGoneMs;
    this.blocks = new JobBlocks(this.store.loadFailures());
    const now = this.clock.now();
    this.startedAt = now;
    this.termStartedAt = now;
    // Renewals are not stored: every stored lease gets a fresh timeout, so its worker can renew it.
    const fresh = { renewedAt: now, expiresAt: now + this.config.leaseTimeoutMs };
    for (const task of this.store.loadAll()) {
      this.apply(task.lease ? { ...task, lease: { ...task.lease, ...fresh } } : task);
    }
  }

  /** Idempotent by task id: a known task comes back as it is (a done task stays done). */
  submit(input: unknown, now = this.clock.now()): Task {
    const task = this.accept(parseTaskInput(input), now);
    log.debug('task submitted', {
      task: task.id,
      job: task.jobId,
      origin: task.originNodeId,
      status: task.status,
    });
    return task;
  }

  /** Whether `originNodeId` may add a task it has not submitted yet (MAX_UNFINISHED_PER_ORIGIN). */
  hasRoomFor(originNodeId: string): boolean {
    return (unfinishedByOrigin(this.tasks.values()).get(originNodeId) ?? 0) < MAX_UNFINISHED_PER_ORIGIN;
  }

  private accept(input: TaskInput, now: number): Task {
    const known = this.tasks.get(input.id);
    if (known) {
      // Another origin's task id changes nothing (the route refuses it first: `ownTask`).
      if (
        isFinished(known) ||
        known.originUrl === input.originUrl ||
        known.originNodeId !== input.originNodeId
      )
        return known;
      // The origin restarted on another address: results must go to the new one.
      const moved = { ...known, originUrl: input.originUrl, updatedAt: now };
      this.commit([moved]);
      return moved;
    }
    let task = newTask(input, now);
    const held = this.pendingOf(task.id);
    if (held) {
      // A worker announced this task's lease before its origin submitted it again: keep that encode.
      const { leaseId: id, taskId, workerId, expiresAt } = held;
      task = withLease(task, { id, taskId, workerId, grantedAt: now, renewedAt: now, expiresAt }, now);
    }
    this.commit([task]);
    if (held) this.dropPending(held.leaseId);
    return task;
  }

  /** Requeue a failed (or done) task with a clean slate: only on its origin's explicit request. */
  retry(taskId: string, now = this.clock.now()): Task | undefined {
    let task = this.tasks.get(taskId);
    if (task && isFinished(task)) {
      // Running the job again is a fresh start for its workers too (as in Flamenco): its blocks go.
      const cleared = this.blocks.of(task.originNodeId, task.jobId);
      task = retried(task, now);
      this.commit([task], [], { removeFailures: cleared });
    }
    log.info('task retry requested', { task: taskId, status: task?.status });
    return task;
  }

  getTask(taskId: string): Task | undefined {
    return this.tasks.get(taskId);
  }

  registerWorker(info: unknown, now = this.clock.now()): WorkerState {
    const worker = parseWorkerInfo(info);
    const previous = this.workers.get(worker.id);
    const held = this.runningOf(worker.id);
    const record: WorkerRecord = {
      id: worker.id,
      url: worker.url,
      encoders: [...new Set(worker.encoders)],
      maxConcurrency: worker.maxConcurrency,
      freeSlots: Math.min(
        worker.freeSlots ?? worker.maxConcurrency,
        Math.max(0, worker.maxConcurrency - held),
      ),
      // Re-registering keeps the operator's pause/drain decision: a restart must not undo it.
      paused: previous?.paused ?? false,
      draining: previous?.draining ?? false,
      lastHeartbeat: now,
    };
    this.workers.set(worker.id, record);
    log.info('worker registered', {
      worker: record.id,
      encoders: record.encoders,
      slots: record.maxConcurrency,
    });
    return this.stateOf(record);
  }

  /**
   * Renews the listed leases that are this worker's; returns the listed ones it must stop (requeued and
   * re-granted, finished, or never known here), and refreshes its free-slot estimate.
   */
  heartbeat(workerId: string, input: unknown, now = this.clock.now()): HeartbeatReply {
    const report = parseHeartbeat(input);
    const record = this.workers.get(workerId);
    // Unknown worker (typically: this coordinator is new): cancel nothing, ask it to register and announce.
    if (!record) return { cancel: [], unknownWorker: true };
    const expiresAt = now + this.config.leaseTimeoutMs;
    const cancel: string[] = [];
    const listed = new Set<string>();
    for (const { leaseId, progress, ...reported } of report.leases) {
      const task = this.byLease(leaseId);
      const pending = this.pendingByLease.get(leaseId);
      if (task?.lease && task.lease.workerId === workerId) {
        const lease: Lease = { ...task.lease, renewedAt: now, expiresAt };
        if (progress !== undefined) lease.progress = progress;
        const rate = compactRate(reported);
        if (rate) lease.rate = rate;
        else delete lease.rate;
        // Memory only: renewals are not stored (a reload renews every lease anyway).
        this.tasks.set(task.id, { ...task, lease });
        listed.add(leaseId);
      } else if (pending?.workerId === workerId) {
        pending.expiresAt = expiresAt;
      } else {
        cancel.push(leaseId);
      }
    }
    // Leases it holds that its report did not list (granted after it sent the report, or lost on the
    // way) take slots even though the worker did not count them yet.
    const unacknowledged = this.leasesOf(workerId).filter((id) => !listed.has(id)).length;
    record.lastHeartbeat = now;
    record.freeSlots = Math.max(0, Math.min(report.freeSlots, record.maxConcurrency) - unacknowledged);
    if (cancel.length > 0) log.info('worker runs leases that are not its own', { worker: workerId, cancel });
    return { cancel, unknownWorker: false };
  }

  /**
   * Grants leases for as many queued tasks as free, capable workers allow (see scheduler.ts): new random
   * lease ids, one store transaction for the whole batch, and only then the free-slot estimates.
   */
  schedule(now = this.clock.now()): Assignment[] {
    if (this.queued.size === 0) return [];
    const candidates = this.candidates(now);
    if (candidates.length === 0) return [];
    const limit = this.jobFailureLimit();
    const plan = planAssignments(this.queued, candidates, {
      blockedFor: (task) => this.blocks.blockedFor(task.originNodeId, task.jobId, limit),
    });
    if (plan.length === 0) return [];
    const expiresAt = now + this.config.leaseTimeoutMs;
    const leased = plan.map(({ task, workerId }) => {
      const id = this.newLeaseId();
      return withLease(
        task,
        { id, taskId: task.id, workerId, grantedAt: now, renewedAt: now, expiresAt },
        now,
      );
    });
    try {
      this.commit(leased);
    } catch (error) {
      // Nothing was granted: put the planned tasks back where the scheduler took them from.
      for (const { task } of plan) this.queued.add(task);
      throw error;
    }
    for (const { workerId } of plan) {
      const record = this.workers.get(workerId) as WorkerRecord;
      record.freeSlots = Math.max(0, record.freeSlots - 1);
    }
    return leased.map((task) => {
      const lease = task.lease as Lease;
      log.debug('lease granted', { task: lease.taskId, lease: lease.id, worker: lease.workerId });
      return { lease, task, worker: this.stateOf(this.workers.get(lease.workerId) as WorkerRecord) };
    });
  }

  /** Leases not renewed for leaseTimeoutMs: their tasks go back to the queue, to get a new lease id. */
  expire(now = this.clock.now()): Lease[] {
    for (const pending of [...this.pendingByLease.values()]) {
      if (pending.expiresAt <= now) this.dropPending(pending.leaseId);
    }
    const expired: Task[] = [];
    for (const taskId of this.taskOfLease.values()) {
      const task = this.tasks.get(taskId);
      if (task?.lease && task.lease.expiresAt <= now) expired.push(task);
    }
    if (expired.length === 0) return [];
    const { leaseTimeoutMs, maxAttempts } = this.config;
    const next = expired.map((task) => {
      const reason = `lease expired: worker ${task.lease?.workerId} did not renew it for ${leaseTimeoutMs} ms`;
      // Counted against the worker: a worker that crashes on a task looks exactly like this.
      return afterLostLease(task, { reason, countAgainstWorker: true }, maxAttempts, now);
    });
    const failures = this.countFailures(expired, next, now);
    this.commit(next, [], { putFailures: failures });
    for (const [i, task] of expired.entries()) logLoss('lease expired', task.lease as Lease, next[i] as Task);
    this.failJobsOnlyBlockedWorkersCanRun(now);
    return expired.map((task) => task.lease as Lease);
  }

  /** What the runtime runs on every heartbeat and on its 250 ms timer. */
  tick(now = this.clock.now()): { expired: Lease[]; assignments: Assignment[] } {
    const expired = this.expire(now);
    if (now - this.lastBlockCheck >= BLOCK_CHECK_EVERY_MS) this.failJobsOnlyBlockedWorkersCanRun(now);
    return { expired, assignments: this.schedule(now) };
  }

  /** Ids of the tasks the queue failed for good on its own since the last call: tell their origins. */
  takeFailed(): string[] {
    const failed = this.failedByQueue;
    this.failedByQueue = [];
    return failed;
  }

  /** Fencing: only the task's current lease completes it ('stale' otherwise). */
  complete(leaseId: string, now = this.clock.now()): CompleteResult {
    const task = this.byLease(leaseId);
    if (!task?.lease) {
      // The origin may repeat a completion whose answer it lost: same lease, same verdict.
      if (this.taskOfCompletedLease.has(leaseId)) return 'accepted';
      log.info('stale completion refused', { lease: leaseId });
      return 'stale';
    }
    const workerId = task.lease.workerId;
    this.commit([completed(task, leaseId, now)]);
    this.releaseSlot(workerId);
    log.debug('task done', { task: task.id, lease: leaseId, worker: workerId });
    return 'accepted';
  }

  /** Retryable: back to the queue (counted against the worker); otherwise the task fails for good. */
  fail(leaseId: string, reason: string, options: { retryable: boolean }, now = this.clock.now()): FailResult {
    const task = this.byLease(leaseId);
    if (!task?.lease) return 'stale';
    const workerId = task.lease.workerId;
    // The worker's text is its own word: it reaches the origin's job error and the farm's tables named
    // as the worker's, so a worker cannot pass its words off as the coordinator's or another node's.
    const said = `worker ${workerId}: ${reason}`;
    const next = options.retryable
      ? afterLostLease(task, { reason: said, countAgainstWorker: true }, this.config.maxAttempts, now)
      : failedForGood(task, said, now);
    this.commit([next], [], { putFailures: this.countFailures([task], [next], now) });
    this.releaseSlot(workerId);
    logLoss('lease failed', task.lease, next);
    const result = next.status === 'queued' ? 'requeued' : 'failed';
    this.failJobsOnlyBlockedWorkersCanRun(now);
    return result;
  }

  /**
   * Its origin gave the task up (its job was cancelled, its split dropped): a queued task is not leased
   * any more, a leased one loses its lease — the worker's next heartbeat tells it to stop — and the task
   * ends as failed, so a later submission from the same origin retries it. Only the origin may.
   */
  withdraw(taskId: string, originNodeId: string, now = this.clock.now()): WithdrawResult {
    const task = this.tasks.get(taskId);
    if (!task) return 'unknown';
    if (task.originNodeId !== originNodeId) return 'refused';
    return this.endTask(task, 'withdrawn by its origin', now);
  }

  /** An operator ends a task; its origin must then be told (the coordinator does, see coordinator.ts). */
  cancel(taskId: string, operator: string, now = this.clock.now()): WithdrawResult {
    const task = this.tasks.get(taskId);
    if (!task) return 'unknown';
    return this.endTask(task, operatorCancelReason(operator), now);
  }

  /**
   * An operator sends a task back to the queue: a leased one loses its lease (its worker's next
   * heartbeat stops it; nothing is counted against the worker or the task), a queued one stays as it is.
   */
  requeue(taskId: string, operator: string, now = this.clock.now()): RequeueResult {
    const task = this.tasks.get(taskId);
    if (!task) return 'unknown';
    if (isFinished(task)) return 'finished';
    if (task.status === 'queued' || !task.lease) return 'queued';
    const workerId = task.lease.workerId;
    this.commit([{ ...requeued(task, now), lastError: `requeued by ${operator}` }]);
    this.releaseSlot(workerId);
    log.info('task requeued by an operator', { task: taskId, operator, worker: workerId });
    return 'requeued';
  }

  /**
   * The origin changed its job's priority: every unfinished task of that job takes it (the leased ones
   * too, should they come back to the queue). Returns how many tasks changed.
   */
  reprioritize(originNodeId: string, jobId: string, priority: number, now = this.clock.now()): number {
    const changed: Task[] = [];
    for (const task of this.tasks.values()) {
      if (task.originNodeId !== originNodeId || task.jobId !== jobId) continue;
      if (isFinished(task) || task.priority === priority) continue;
      changed.push({ ...task, priority, updatedAt: now });
    }
    this.commit(changed);
    if (changed.length > 0) log.info('job priority changed', { job: jobId, origin: originNodeId, priority });
    return changed.length;
  }

  /** An operator lets a blocked worker (or every worker, without `workerId`) take the job's tasks again. */
  clearBlocks(originNodeId: string, jobId: string, workerId?: string): number {
    const cleared = this.blocks.of(originNodeId, jobId, workerId);
    this.commit([], [], { removeFailures: cleared });
    if (cleared.length > 0) log.info('job blocklist cleared', { job: jobId, origin: originNodeId, workerId });
    return cleared.length;
  }

  /** The unfinished tasks (best first), the failures of the last hour, and the blocked workers. */
  view(now = this.clock.now()): QueueView {
    const unfinished: Task[] = [];
    const failed: Task[] = [];
    for (const task of this.tasks.values()) {
      if (!isFinished(task)) unfinished.push(task);
      else if (task.status === 'failed' && (task.finishedAt ?? task.updatedAt) > now - FAILED_VIEW_MS)
        failed.push(task);
    }
    unfinished.sort(compareTasks);
    failed.sort((a, b) => (b.finishedAt ?? b.updatedAt) - (a.finishedAt ?? a.updatedAt));
    const tasks = [...unfinished, ...failed].slice(0, QUEUE_VIEW_LIMITS.tasks).map(taskView);
    const limit = this.jobFailureLimit();
    const blocks = this.blocks.blocked(limit).slice(0, QUEUE_VIEW_LIMITS.blocks);
    return { tasks, blocks, blockLimit: limit };
  }

  private endTask(task: Task, reason: string, now: number): WithdrawResult {
    if (isFinished(task)) return 'finished';
    this.commit([failedForGood(task, reason, now)]);
    if (task.lease) this.releaseSlot(task.lease.workerId);
    log.info('task ended before its result', {
      task: task.id,
      reason,
      lease: task.lease?.id,
      worker: task.lease?.workerId,
    });
    return 'withdrawn';
  }

  /** The task a lease currently holds, and the lease (to decide who may report on it). */
  leaseOf(leaseId: string): { task: Task; lease: Lease } | undefined {
    const task = this.byLease(leaseId);
    return task?.lease ? { task, lease: task.lease } : undefined;
  }

  /**
   * The worker refused the offer (no free slot: it was still uploading its last result), or the offer
   * never reached it (it heartbeats here, but this node cannot reach it). Not a failure: the task goes
   * back to the queue without an attempt counted (three undelivered offers failed a task's attempts
   * and blocked a healthy worker), and the worker is offered nothing more until its next heartbeat
   * says how many slots it really has.
   */
  returnLease(leaseId: string, why: 'busy' | 'unreached' = 'busy', now = this.clock.now()): boolean {
    const task = this.byLease(leaseId);
    if (!task?.lease) return false;
    const workerId = task.lease.workerId;
    this.commit([requeued(task, now)]);
    const record = this.workers.get(workerId);
    if (record) record.freeSlots = 0;
    log.info(
      why === 'busy'
        ? 'offer refused by a busy worker; task requeued without an attempt'
        : 'offer did not reach its worker; task requeued without an attempt',
      { task: task.id, worker: workerId },
    );
    return true;
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
    const held = this.leasesOf(workerId).flatMap((id) => this.byLease(id) ?? []);
    // Not counted against the worker: it did not fail these tasks, it left.
    const loss = { reason: `worker ${workerId} was removed`, countAgainstWorker: false };
    this.commit(held.map((task) => afterLostLease(task, loss, this.config.maxAttempts, now)));
    this.workers.delete(workerId);
    for (const pending of [...this.pendingByLease.values()]) {
      if (pending.workerId === workerId) this.dropPending(pending.leaseId);
    }
    log.info('worker removed', { worker: workerId, requeued: held.length });
    return held.map((task) => task.lease as Lease);
  }

  /**
   * Start of a coordinator term: the queue becomes what the nodes announced (see rebuild.ts). Call it
   * once with what arrived in the collection window, then `announce` for each late announcement.
   */
  rebuild(announcements: readonly unknown[], now = this.clock.now()): RebuildResult {
    this.beginTerm(now);
    const result = this.applyAnnouncements(announcements, now, true);
    log.info('queue rebuilt from announcements', { ...result });
    return result;
  }

  /**
   * A term of this node as coordinator begins: for the next ADOPT_LEASES_LEASE_TIMEOUTS lease timeouts
   * the leases workers announce are taken on though this queue never granted them (the last coordinator
   * did). Later only the leases it holds are; a key holder announcing a lease on another origin's queued
   * task held it outside the scheduler. (After a partition heals, the deposed coordinator's leases are
   * refused too: their encodes run again.)
   */
  beginTerm(now = this.clock.now()): void {
    this.termStartedAt = now;
  }

  /** A late announcement, merged into the current queue without forgetting anything. */
  announce(announcement: unknown, now = this.clock.now()): RebuildResult {
    const result = this.applyAnnouncements([announcement], now, false);
    log.info('announcement merged', { ...result });
    return result;
  }

  /** Plan, store in one transaction, then settle the pending leases. */
  private applyAnnouncements(input: readonly unknown[], now: number, replace: boolean): RebuildResult {
    const { leaseTimeoutMs } = this.config;
    const plan = planRebuild(this.tasks, (taskId) => this.pendingOf(taskId), input.map(parseAnnouncement), {
      now,
      leaseTimeoutMs,
      replace,
      maxUnfinishedPerOrigin: MAX_UNFINISHED_PER_ORIGIN,
      adoptLeases: now - this.termStartedAt <= ADOPT_LEASES_LEASE_TIMEOUTS * leaseTimeoutMs,
    });
    this.commit(plan.put, plan.remove);
    for (const leaseId of plan.resolvedPending) this.dropPending(leaseId);
    for (const lease of plan.toPend) {
      // The first lease announced for a task wins.
      const holder = this.pendingLeaseOfTask.get(lease.taskId);
      if (holder !== undefined && holder !== lease.leaseId) continue;
      this.pendingByLease.set(lease.leaseId, { ...lease, expiresAt: now + leaseTimeoutMs });
      this.pendingLeaseOfTask.set(lease.taskId, lease.leaseId);
    }
    return plan.result;
  }

  /**
   * Forgets done and failed (withdrawn included) tasks that finished before `before`: the coordinator's
   * retention (coordinator.ts). A task submitted again after that is a new task.
   */
  pruneFinished(before: number): string[] {
    const ids: string[] = [];
    for (const task of this.tasks.values()) {
      if (isFinished(task) && (task.finishedAt ?? task.updatedAt) < before) ids.push(task.id);
    }
    this.commit([], ids, { removeFailures: this.blocks.olderThan(before) });
    if (ids.length > 0) log.info('finished tasks pruned', { count: ids.length });
    return ids;
  }

  stats(): QueueStats {
    const running: Record<string, number> = {};
    for (const id of this.workers.keys()) running[id] = this.runningOf(id);
    return {
      queued: this.counts.queued,
      running: this.counts.leased,
      done: this.counts.done,
      failed: this.counts.failed,
      workers: running,
    };
  }

  /** Every lease being worked on, with its last reported progress: what status and origins show. */
  encodes(): RunningEncode[] {
    const running: RunningEncode[] = [];
    for (const taskId of this.taskOfLease.values()) {
      const task = this.tasks.get(taskId);
      if (!task?.lease) continue;
      const { lease } = task;
      running.push({
        taskId,
        jobId: task.jobId,
        originNodeId: task.originNodeId,
        workerId: lease.workerId,
        startedAt: lease.grantedAt,
        progress: lease.progress ?? 0,
        ...(lease.rate ? { rate: lease.rate } : {}),
      });
    }
    return running;
  }

  worker(workerId: string): WorkerState | undefined {
    const record = this.workers.get(workerId);
    return record && this.stateOf(record);
  }

  listWorkers(): WorkerState[] {
    return [...this.workers.values()].map((record) => this.stateOf(record));
  }

  /**
   * The write-then-apply step of every change: the store first (all of it or none of it), then memory
   * and the indexes. A failed write leaves memory as it was.
   */
  private commit(
    put: readonly Task[],
    remove: readonly string[] = [],
    failures: { putFailures?: readonly JobFailure[]; removeFailures?: readonly JobFailureKey[] } = {},
  ): void {
    const putFailures = failures.putFailures ?? [];
    const removeFailures = failures.removeFailures ?? [];
    if (put.length + remove.length + putFailures.length + removeFailures.length === 0) return;
    this.store.write({ put, remove, putFailures, removeFailures });
    const changes = put.map((task) => {
      const before = this.tasks.get(task.id);
      this.apply(task);
      return { before, task };
    });
    for (const id of remove) {
      const previous = this.tasks.get(id);
      if (!previous) continue;
      this.unindex(previous);
      this.tasks.delete(id);
    }
    this.blocks.apply(putFailures);
    this.blocks.remove(removeFailures);
    // The observer sees the queue with the whole change applied.
    for (const { before, task } of changes) this.tell(before, task);
  }

  /**
   * One more failed task of its job for each worker whose lease ended in a counted loss (`before` →
   * `after`: its failures by worker went up). Several tasks of one job lost together count once each.
   */
  private countFailures(before: readonly Task[], after: readonly Task[], now: number): JobFailure[] {
    const records = new Map<string, JobFailure>();
    for (const [i, task] of before.entries()) {
      const next = after[i];
      const workerId = task.lease?.workerId;
      if (!next || workerId === undefined) continue;
      const counted =
        next.status === 'failed' ||
        (next.failuresByWorker[workerId] ?? 0) > (task.failuresByWorker[workerId] ?? 0);
      if (!counted) continue;
      const key = `${jobKeyOf(task.originNodeId, task.jobId)}\u0000${workerId}`;
      const previous = records.get(key);
      const reason = next.lastError ?? 'failed';
      const record = this.blocks.counted(task, workerId, reason, now);
      records.set(
        key,
        previous ? { ...previous, failures: previous.failures + 1, lastError: record.lastError } : record,
      );
    }
    const list = [...records.values()];
    const limit = this.jobFailureLimit();
    for (const record of list) {
      if (record.failures === limit)
        log.warn('worker blocked for a job: it failed too many of its tasks', {
          worker: record.workerId,
          job: record.jobId,
          origin: record.originNodeId,
          failures: record.failures,
          reason: record.lastError,
        });
    }
    return list;
  }

  /**
   * A queued task whose every capable worker is blocked for its job would wait for ever: it fails
   * for good with that reason instead (its origin hears it through `takeFailed`). Workers count while
   * registered here and heard from within `workerGoneMs`; with none at all the task just waits.
   */
  private failJobsOnlyBlockedWorkersCanRun(now: number): void {
    this.lastBlockCheck = now;
    if (now - this.startedAt < this.blockCheckGraceMs) return;
    const limit = this.jobFailureLimit();
    const jobs = this.blocks.blockedJobs(limit);
    if (jobs.size === 0) return;
    const present = [...this.workers.values()].filter((w) => now - w.lastHeartbeat < this.workerGoneMs);
    const doomed: Task[] = [];
    for (const task of this.tasks.values()) {
      if (task.status !== 'queued' || !jobs.has(jobKeyOf(task.originNodeId, task.jobId))) continue;
      const capable = present.filter((w) => isCapable(w.encoders, task.requirements.encoders));
      const blocked = this.blocks.blockedFor(task.originNodeId, task.jobId, limit);
      if (capable.length === 0 || !capable.every((w) => blocked?.has(w.id))) continue;
      const last = this.blocks.of(task.originNodeId, task.jobId).sort((a, b) => b.updatedAt - a.updatedAt)[0];
      const reason =
        `every capable worker is blocked for this job (${capable.map((w) => w.id).join(', ')}: ` +
        `each failed ${limit} or more of its tasks; last error: ${last?.lastError ?? 'unknown'}); ` +
        'clear the block in the Farm view, or retry the job';
      doomed.push(failedForGood(task, reason, now));
    }
    if (doomed.length === 0) return;
    this.commit(doomed);
    for (const task of doomed) {
      this.failedByQueue.push(task.id);
      log.warn('task failed: only blocked workers could run it', { task: task.id, job: task.jobId });
    }
  }

  private tell(before: Task | undefined, after: Task): void {
    if (!this.observer) return;
    try {
      this.observer(before, after);
    } catch (error) {
      log.warn('a queue observer failed', { task: after.id, error: String(error) });
    }
  }

  private apply(next: Task): void {
    const previous = this.tasks.get(next.id);
    if (previous) this.unindex(previous);
    this.tasks.set(next.id, next);
    this.counts[next.status]++;
    if (next.status === 'queued') this.queued.add(next);
    if (next.status === 'done' && next.completedLeaseId) {
      this.taskOfCompletedLease.set(next.completedLeaseId, next.id);
    }
    if (next.lease) {
      this.taskOfLease.set(next.lease.id, next.id);
      let leases = this.leasesOfWorker.get(next.lease.workerId);
      if (!leases) {
        leases = new Set();
        this.leasesOfWorker.set(next.lease.workerId, leases);
      }
      leases.add(next.lease.id);
    }
  }

  private unindex(task: Task): void {
    this.counts[task.status]--;
    if (task.status === 'queued') this.queued.remove(task.id);
    if (task.completedLeaseId) this.taskOfCompletedLease.delete(task.completedLeaseId);
    if (task.lease) {
      this.taskOfLease.delete(task.lease.id);
      const leases = this.leasesOfWorker.get(task.lease.workerId);
      leases?.delete(task.lease.id);
      if (leases?.size === 0) this.leasesOfWorker.delete(task.lease.workerId);
    }
  }

  /** The task whose CURRENT lease this is; a stale lease id finds nothing. */
  private byLease(leaseId: string): Task | undefined {
    const taskId = this.taskOfLease.get(leaseId);
    return taskId === undefined ? undefined : this.tasks.get(taskId);
  }

  private leasesOf(workerId: string): string[] {
    return [...(this.leasesOfWorker.get(workerId) ?? [])];
  }

  private runningOf(workerId: string): number {
    return this.leasesOfWorker.get(workerId)?.size ?? 0;
  }

  /** Workers that may take a lease now, with their room. */
  private candidates(now: number): Candidate[] {
    const list: Candidate[] = [];
    for (const record of this.workers.values()) {
      if (record.paused || record.draining || now - record.lastHeartbeat > this.workerStaleMs) continue;
      const running = this.runningOf(record.id);
      const capacity = Math.min(record.freeSlots, record.maxConcurrency - running);
      if (capacity > 0) list.push({ id: record.id, encoders: record.encoders, capacity, running });
    }
    return list;
  }

  /** A result or failure came back: the slot is free now, not at the next heartbeat, so the next task starts at once. */
  private releaseSlot(workerId: string): void {
    const record = this.workers.get(workerId);
    if (record) record.freeSlots = Math.min(record.maxConcurrency, record.freeSlots + 1);
  }

  /** A copy: what callers get never changes the queue's own record. */
  private stateOf(record: WorkerRecord): WorkerState {
    return { ...record, encoders: [...record.encoders], running: this.leasesOf(record.id) };
  }

  private setFlags(workerId: string, flags: Partial<Pick<WorkerRecord, 'paused' | 'draining'>>): boolean {
    const record = this.workers.get(workerId);
    if (!record) return false;
    Object.assign(record, flags);
    log.info('worker flags changed', { worker: workerId, paused: record.paused, draining: record.draining });
    return true;
  }

  private pendingOf(taskId: string): PendingLease | undefined {
    const leaseId = this.pendingLeaseOfTask.get(taskId);
    return leaseId === undefined ? undefined : this.pendingByLease.get(leaseId);
  }

  private dropPending(leaseId: string): void {
    const pending = this.pendingByLease.get(leaseId);
    if (!pending) return;
    this.pendingByLease.delete(leaseId);
    this.pendingLeaseOfTask.delete(pending.taskId);
  }
}

function logLoss(message: string, lease: Lease, next: Task): void {
  const fields = {
    task: next.id,
    lease: lease.id,
    worker: lease.workerId,
    attempts: next.attempts,
    reason: next.lastError,
  };
  if (next.status === 'failed') log.warn(`${message}; task failed for good`, fields);
  else log.info(`${message}; task requeued`, fields);
}

function taskView(task: Task): TaskView {
  const segment = (task.plan as { segment?: { index?: unknown; count?: unknown } } | null)?.segment;
  return {
    id: task.id,
    jobId: task.jobId,
    originNodeId: task.originNodeId,
    status: task.status,
    priority: task.priority,
    createdAt: task.createdAt,
    attempts: task.attempts,
    workerId: task.lease?.workerId ?? null,
    progress: task.lease?.progress ?? null,
    lastError: task.lastError ?? null,
    segment:
      typeof segment?.index === 'number' && typeof segment.count === 'number'
        ? { index: segment.index, count: segment.count }
        : null,
  };
}

/**
 * The worker's side of the farm's queue in Redis: one BullMQ Worker per encoder this node has, so it
 * takes only tasks it can encode, sharing the node's encode slots. Each job is checked before any
 * work: signed by an admitted origin for this farm, this queue and this job id, recently enough
 * (task-envelope.ts); then the origin is asked whether it still wants the task (a copy of an old job,
 * or a task whose video already arrived, is not encoded again). The encode itself is the LAN worker's
 * (FarmWorker.perform: verified blobs from the origin, the encode, the upload); progress goes to
 * BullMQ, a failure is thrown for BullMQ's attempts and backoff, and a lease is proved to the origin
 * by the job's lock (leaseIdOf).
 */
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { createLogger } from '../../log/logger.ts';
import type { FarmClient, FarmTrust, NodeIdentity, TlsTrust } from '../net/index.ts';
import { isFarmEncoder } from '../node/farm-encoders.ts';
import { type LeaseOffer, leaseOfferSchema } from '../node/schemas.ts';
import type { FarmWorker } from '../node/worker.ts';
import type { FarmKeys } from './farm-keys.ts';
import type { RedisLink } from './redis-link.ts';
import { leaseIdOf } from './redis-origin-queue.ts';
import { type SignedTaskFields, signFailure, verifyTask, verifyWithdrawal } from './task-envelope.ts';
import { REDIS_TUNING } from './tuning.ts';

const log = createLogger('RedisWorker');
const PROGRESS_EVERY_MS = 1000;
const IDLE_CHECK_MS = 1000;

const wantedReplySchema = z.object({ wanted: z.boolean() });

/** Why a running encode was stopped from outside. */
class Withdrawn extends Error {
  override name = 'Withdrawn';
}
class Stopping extends Error {
  override name = 'Stopping';
}

export interface RedisWorkerDeps {
  link: RedisLink;
  keys: FarmKeys;
  farmId: string;
  /** Who this node is: the holder BullMQ records, and the signer of its failures (task-envelope.ts). */
  identity: NodeIdentity;
  /** Whose signatures are believed (the farm key's admissions). */
  trust: FarmTrust;
  /** Origins' certificate pins, learned from their signed tasks. */
  tls: TlsTrust;
  /** Signed calls to origins (is the task still wanted?). */
  client: Pick<FarmClient, 'json'>;
  /** The encoders this node proved with a trial encode when it started. */
  encoders: () => Promise<readonly string[]>;
  maxConcurrency: number;
  /** The encode of one lease, as the LAN worker does it; paused/draining are the operator's. */
  worker: Pick<FarmWorker, 'perform' | 'leases' | 'paused' | 'draining' | 'yielding'>;
  clock?: () => number;
}

interface Running {
  abort: AbortController;
  origin: string;
  /** The signed task's nonce: a withdrawal names the job it stops by it. */
  nonce: string;
}

export class RedisWorker {
  private readonly deps: RedisWorkerDeps;
  private readonly workers: Worker[] = [];
  private readonly running = new Map<string, Running>();
  /** Slots taken, from the moment a job is accepted (before its checks) to its end. */
  private busy = 0;
  private subscriber: Redis | null = null;
  private stopping = false;
  private idleSince: number | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private idleCounts: (() => Promise<number>) | null = null;
  private encodersServed: string[] = [];

  constructor(deps: RedisWorkerDeps) {
    this.deps = deps;
  }

  private now(): number {
    return (this.deps.clock ?? Date.now)();
  }

  /** The encoders whose queues this node takes tasks from. */
  get encoders(): string[] {
    return this.encodersServed;
  }

  async start(): Promise<void> {
    this.encodersServed = (await this.deps.encoders()).filter(isFarmEncoder);
    const { keys, link } = this.deps;
    for (const encoder of this.encodersServed) {
      const worker = new Worker(keys.queueOf(encoder), (job, token) => this.process(job, token as string), {
        connection: link.connection(`worker-${encoder}`),
        prefix: keys.prefix,
        // Recorded on the job as its holder: the origin checks the uploader against it.
        name: this.deps.identity.id,
        concurrency: this.deps.maxConcurrency,
        lockDuration: REDIS_TUNING.lockDurationMs,
        lockRenewTime: REDIS_TUNING.lockRenewMs,
        stalledInterval: REDIS_TUNING.stalledIntervalMs,
        maxStalledCount: REDIS_TUNING.maxStalledCount,
      });
      worker.on('error', (error) => log.debug('worker error', { encoder, error: String(error) }));
      worker.on('stalled', (jobId) =>
        log.warn('a task stalled (its worker went silent); queued again', { task: jobId }),
      );
      this.workers.push(worker);
    }
    this.subscriber = link.connection('withdrawals');
    this.subscriber.on('message', (_channel: string, message: string) => this.onWithdrawal(message));
    await this.subscriber
      .subscribe(keys.withdrawals)
      .catch((error: unknown) => log.warn('cannot hear withdrawals yet', { error: String(error) }));
    log.info('taking tasks from redis', { redis: link.target.display, encoders: this.encodersServed });
  }

  /** Free encode slots (none while paused, draining or yielding to this computer's user). */
  get freeSlots(): number {
    const { worker } = this.deps;
    if (worker.paused || worker.draining || worker.yielding !== null) return 0;
    return Math.max(0, this.deps.maxConcurrency - this.busy);
  }

  /** Stops taking new tasks while no slot is free, takes them again once one is (see process()). */
  private updateIntake(): void {
    const full = this.freeSlots === 0 || this.stopping;
    for (const worker of this.workers) {
      if (full && !worker.isPaused()) void worker.pause(true).catch(() => undefined);
      else if (!full && worker.isPaused()) void Promise.resolve(worker.resume()).catch(() => undefined);
    }
  }

  /** An operator paused, drained or resumed this node, or it started or stopped yielding. */
  modeChanged(): void {
    this.updateIntake();
  }

  private async process(job: Job, token: string): Promise<unknown> {
    // Two queues may hand over a job at the same moment for one free slot: the second goes back.
    if (this.freeSlots === 0 || this.stopping) return this.giveBack(job, token);
    this.busy++;
    this.updateIntake();
    try {
      return await this.encode(job, token);
    } finally {
      this.busy--;
      this.updateIntake();
    }
  }

  /** Back to the queue at once, without counting an attempt (another worker may take it). */
  private async giveBack(job: Job, token: string): Promise<never> {
    await this.deps.link
      .within(2000, 'give back', () => job.moveToDelayed(this.now(), token))
      .catch((error: unknown) =>
        log.debug('could not give a task back', { task: job.id, error: String(error) }),
      );
    throw new DelayedError();
  }

  /**
   * A refused job read past its lock (a 300 MB one took longer to read than a lock lasts) cannot be
   * failed: BullMQ found it stalled, queued it again, and every worker read it again, for good. Removed
   * here once no worker holds it (one that still does fails it as refused).
   */
  private async dropIfUnlocked(job: Job): Promise<void> {
    const removed = await this.deps.link
      .within(2000, 'drop refused', () => job.remove())
      .then(
        () => true,
        () => false,
      );
    if (removed) log.info('a refused task no worker held any more was removed from redis', { task: job.id });
  }

  private async encode(job: Job, token: string): Promise<unknown> {
    const taskId = String(job.id);
    const verified = verifyTask(
      this.deps.trust,
      job.data,
      { farm: this.deps.farmId, queue: job.queueName, jobKey: taskId },
      this.now(),
    );
    if (!verified.ok) {
      log.warn('task refused', {
        task: taskId,
        queue: job.queueName,
        reason: verified.reason,
        detail: verified.detail,
      });
      await this.dropIfUnlocked(job);
      throw new UnrecoverableError(`refused (${verified.reason}): ${verified.detail}`);
    }
    const { fields, plan } = verified;
    const leaseId = leaseIdOf(token);
    const offer = leaseOfferSchema.safeParse({
      leaseId,
      taskId,
      jobId: fields.jobId,
      originUrl: fields.originUrl,
      originNodeId: fields.originId,
      // No coordinator in Redis mode: failures go to BullMQ, never to these.
      coordinatorUrl: fields.originUrl,
      coordinatorId: fields.originId,
      plan,
    });
    if (!offer.success) {
      log.warn('task refused', { task: taskId, reason: 'invalid', detail: 'not a valid render plan' });
      const refusal = new UnrecoverableError('refused (invalid): the plan is not a valid RenderPlan');
      throw this.signed(refusal, taskId, fields.nonce);
    }
    if (fields.originTls) this.deps.tls.pin(fields.originUrl, fields.originId, fields.originTls);
    try {
      return await this.wantedRun(job, token, offer.data, fields);
    } catch (error) {
      throw this.signed(error, taskId, fields.nonce);
    }
  }

  /**
   * A failure of the origin's own task, as BullMQ keeps it: in this node's signed word, the only one
   * the origin believes (anyone who can write to Redis can fail a job with words of their own). A task
   * handed back (DelayedError) is no failure.
   */
  private signed(error: unknown, taskId: string, nonce: string): unknown {
    if (error instanceof DelayedError) return error;
    const reason = error instanceof Error ? error.message : String(error);
    const word = signFailure(this.deps.identity, { taskId, nonce }, reason);
    return error instanceof UnrecoverableError ? new UnrecoverableError(word) : new Error(word);
  }

  /** Encodes the task if its origin still wants it. */
  private async wantedRun(
    job: Job,
    token: string,
    offer: LeaseOffer,
    fields: SignedTaskFields,
  ): Promise<unknown> {
    const taskId = offer.taskId;
    const origin = { url: fields.originUrl, id: fields.originId };
    // Unreachable origin: thrown, so BullMQ tries again later (attempts, backoff).
    const { wanted } = await this.deps.client.json(
      origin,
      'GET',
      `/farm/v1/tasks/${taskId}/wanted`,
      undefined,
      wantedReplySchema,
    );
    if (!wanted) {
      log.info('task no longer wanted by its origin; not encoded', { task: taskId });
      return { skipped: true };
    }
    return this.run(job, token, offer, fields.nonce);
  }

  private async run(job: Job, token: string, offer: LeaseOffer, nonce: string): Promise<unknown> {
    const running: Running = { abort: new AbortController(), origin: offer.originNodeId, nonce };
    this.running.set(offer.taskId, running);
    log.info('task taken', {
      task: offer.taskId,
      lease: offer.leaseId,
      worker: this.deps.identity.id,
      queue: job.queueName,
      // Attempts that ended in a failure, plus this one (a task handed back does not count).
      attempt: job.attemptsMade + 1,
    });
    const progress = setInterval(() => {
      const lease = this.deps.worker.leases().find((l) => l.leaseId === offer.leaseId);
      if (lease) void job.updateProgress(lease.progress).catch(() => undefined);
    }, PROGRESS_EVERY_MS);
    try {
      const outcome = await this.deps.worker.perform(offer, { signal: running.abort.signal });
      switch (outcome.kind) {
        case 'delivered':
          return { delivered: true, worker: this.deps.identity.id };
        case 'refused':
          return { refused: true };
        case 'failed':
          throw new Error(outcome.reason);
        case 'stopped': {
          const reason = running.abort.signal.reason;
          if (reason instanceof Withdrawn) throw new UnrecoverableError('withdrawn by its origin');
          // This node is stopping: the task goes back for another worker, no attempt lost.
          return this.giveBack(job, token);
        }
      }
    } finally {
      clearInterval(progress);
      this.running.delete(offer.taskId);
    }
  }

  private onWithdrawal(message: string): void {
    const withdrawal = verifyWithdrawal(this.deps.trust, message, this.now());
    if (!withdrawal) return;
    const running = this.running.get(withdrawal.taskId);
    // Only the task's own origin withdraws it, and only the run of the job it names.
    if (!running || running.origin !== withdrawal.origin || running.nonce !== withdrawal.nonce) return;
    log.info('task withdrawn by its origin; encode stopped', { task: withdrawal.taskId });
    running.abort.abort(new Withdrawn('withdrawn by its origin'));
  }

  /**
   * Resolves once this node has had nothing to do for `ms` in a row: no encode of its own, and nothing
   * waiting in the queues it takes from (`--exit-when-idle`: an on-demand box ends itself).
   */
  whenIdleFor(ms: number, waiting: (encoders: string[]) => Promise<number>): Promise<void> {
    this.idleCounts = () => waiting(this.encodersServed);
    return new Promise((resolve) => {
      this.idleTimer = setInterval(() => {
        void this.checkIdle().then(() => {
          if (this.idleSince !== null && this.now() - this.idleSince >= ms) {
            if (this.idleTimer) clearInterval(this.idleTimer);
            this.idleTimer = null;
            resolve();
          }
        });
      }, IDLE_CHECK_MS);
    });
  }

  private async checkIdle(): Promise<void> {
    // Unsure (Redis down) counts as busy: a box is never ended on a guess.
    const waiting = this.deps.link.available ? await this.idleCounts?.().catch(() => null) : null;
    const idle = this.busy === 0 && waiting === 0;
    if (!idle) this.idleSince = null;
    else this.idleSince ??= this.now();
  }

  /** Stops taking tasks; encodes under way stop and their tasks go back to the queue at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.updateIntake();
    for (const running of this.running.values()) running.abort.abort(new Stopping('the node is stopping'));
    const closing = Promise.all(this.workers.map((worker) => worker.close()));
    // With Redis unreachable BullMQ would wait for it: a node stops anyway (its locks then expire).
    const graceMs = this.deps.link.available ? 5000 : 500;
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    await this.subscriber?.quit().catch(() => undefined);
  }
}

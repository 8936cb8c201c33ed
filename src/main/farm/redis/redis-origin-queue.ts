/**
 * The origin's side of the farm's queue in Redis (BullMQ): each task becomes a job, signed by this
 * node (task-envelope.ts), in the queue of the encoder it is routed to, with the farm's priority,
 * attempts and backoff. The job id is the task id, so sending a task again never makes a second job.
 * The job's state stays in this node's SQLite (farm_origin_tasks); Redis holds only the queue, and what
 * Redis loses (a restart without its last writes, a flush) is queued again from there.
 * A worker's upload is kept only while its lock on the job is the one the upload names (fencing), and
 * the farm giving a task up reaches the waiting step through BullMQ's `failed` event.
 */
import { Job, Queue, QueueEvents } from 'bullmq';
import { shorten } from '../../../shared/text.ts';
import { createLogger } from '../../log/logger.ts';
import { sha256Hex } from '../../util/hash.ts';
import type { FarmTrust, NodeIdentity } from '../net/index.ts';
import { FARM_ENCODERS } from '../node/farm-encoders.ts';
import type { OriginQueue } from '../node/origin-queue.ts';
import type { TaskInput } from '../queue/index.ts';
import type { FarmKeys } from './farm-keys.ts';
import type { RedisLink } from './redis-link.ts';
import {
  type SignedTaskFields,
  signTask,
  signWithdrawal,
  verifyFailure,
  verifyTask,
} from './task-envelope.ts';
import { REDIS_TUNING } from './tuning.ts';

const log = createLogger('RedisOrigin');

/** The states of a job no worker has taken yet. */
const WAITING_STATES: ReadonlySet<string> = new Set(['waiting', 'prioritized', 'delayed']);

/** Events of one task are checked at most this often (the reconcile catches what is skipped). */
const EVENT_CHECK_SPACING_MS = 1000;
/** Failures without a worker's signed word a task is queued again after, before its step fails. */
const UNSIGNED_FAILURE_LIMIT = 3;
/** A task's job: its signed data (a plan up to 8 MiB), BullMQ's fields, a failure's stack traces. */
const MAX_JOB_BYTES = 12 * 1024 * 1024;
const MAX_JOB_FIELDS = 64;
/**
 * KEYS[1]: a job's hash. Its size in bytes (field names and values), 0 if absent, -1 if it is no hash
 * or has more fields than ARGV[1]: looked at in Redis, so an oversized job is never sent here.
 */
const JOB_SIZE_SCRIPT = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return 0 end
if kind ~= 'hash' or redis.call('HLEN', KEYS[1]) > tonumber(ARGV[1]) then return -1 end
local size = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  size = size + #field + redis.call('HSTRLEN', KEYS[1], field)
end
return size`;

/** BullMQ runs priority 1 first and allows up to 2^21; the farm runs higher priorities first. */
const BULL_LOWEST = 2_097_152;
export function bullPriority(priority: number): number {
  return Math.min(BULL_LOWEST, Math.max(1, 1_000_001 - Math.round(priority)));
}

/** A BullMQ lock token (worker id and a counter) as the lease id an upload names: 32 hex digits. */
export function leaseIdOf(token: string): string {
  return sha256Hex(`vfo-redis-lease:${token}`).slice(0, 32);
}

export interface QueueCounts {
  queued: number;
  running: number;
  done: number;
  failed: number;
}

export interface RedisOriginQueueDeps {
  link: RedisLink;
  keys: FarmKeys;
  farmId: string;
  identity: NodeIdentity;
  /** Whose signatures are believed: a failure counts only for a job that carries this node's signed task. */
  trust: FarmTrust;
  /** This node's certificate fingerprint when it serves https (workers pin it), else null. */
  originTls: string | null;
  /** The encoder whose queue a task goes to, from the plan's encoders in order of preference. */
  route(encoders: string[]): string;
  /** Whether a live node takes tasks of this encoder's queue now. */
  serves(encoder: string): boolean;
  /** The farm gave the task up (every attempt failed, or it stalled too often). */
  onFailed(taskId: string, reason: string): void;
  clock?: () => number;
}

export class RedisOriginQueue implements OriginQueue {
  private readonly deps: RedisOriginQueueDeps;
  private readonly queues = new Map<string, Queue>();
  private readonly events: QueueEvents[] = [];
  /** Tasks this node sent (or tried to send) since it started, and those whose sending is under way. */
  private readonly sent = new Set<string>();
  private readonly sending = new Set<string>();
  /** Failure checks under way, and when each task was last checked (events are only hints). */
  private readonly checking = new Set<string>();
  private readonly lastChecked = new Map<string, number>();
  /** Times each task's job failed without a worker's signed word (see requeueUnsigned). */
  private readonly unsignedFailures = new Map<string, number>();
  /** The run (its signed nonce) of each task this node queued last, or found queued when it resubmitted. */
  private readonly runs = new Map<string, string>();

  constructor(deps: RedisOriginQueueDeps) {
    this.deps = deps;
  }

  /** Listens to the farm's queue events (every queue: a task may be routed to any encoder). */
  start(): void {
    for (const encoder of FARM_ENCODERS) {
      const events = new QueueEvents(this.deps.keys.queueOf(encoder), {
        connection: this.deps.link.connection(`events-${encoder}`),
        prefix: this.deps.keys.prefix,
      });
      // An event is only a hint: anyone who can write to Redis can add one (or a job of the same id to
      // another queue, which a worker refuses). The job itself is looked at before a task is failed.
      events.on('failed', ({ jobId }) => {
        this.reportIfFailed(jobId, { event: true }).catch((error: unknown) =>
          log.debug('a failure could not be checked', { task: jobId, error: String(error) }),
        );
      });
      events.on('error', (error) => log.debug('queue events error', { error: String(error) }));
      this.events.push(events);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.events, ...this.queues.values()].map((part) => part.close()));
    this.events.length = 0;
    this.queues.clear();
  }

  private queue(encoder: string): Queue {
    let queue = this.queues.get(encoder);
    if (!queue) {
      queue = new Queue(this.deps.keys.queueOf(encoder), {
        connection: this.deps.link.client,
        prefix: this.deps.keys.prefix,
      });
      queue.on('error', (error) => log.debug('queue error', { error: String(error) }));
      this.queues.set(encoder, queue);
    }
    return queue;
  }

  private within<T>(what: string, run: () => Promise<T>): Promise<T> {
    return this.deps.link.within(REDIS_TUNING.commandTimeoutMs, what, run);
  }

  /**
   * Fails the task when Redis holds its job in the failed state, that job is the task this node signed
   * (in the queue it was signed for), *and* its reason is a farm member's signed word for this run of
   * it (task-envelope.ts): a forged event, a stranger's job of the same id or a job failed by hand in
   * Redis fails nothing. The reason is the worker's, shortened (it is shown to the user). 'unsigned': a
   * failure without that word (someone who can write to Redis, or BullMQ's own limit of stalls), which
   * the reconcile queues again.
   */
  private async reportIfFailed(
    taskId: string,
    options: { event?: boolean } = {},
  ): Promise<'reported' | 'unsigned' | 'none'> {
    if (!this.sent.has(taskId) || this.checking.has(taskId)) return 'none';
    // An event is a hint anyone who can write to Redis can send 100,000 times: one check at a time per
    // task, and at most one a second from events (the reconcile looks every few seconds anyway).
    const now = (this.deps.clock ?? Date.now)();
    if (options.event && now - (this.lastChecked.get(taskId) ?? 0) < EVENT_CHECK_SPACING_MS) return 'none';
    this.checking.add(taskId);
    this.lastChecked.set(taskId, now);
    try {
      const found = await this.within('failure', () => this.ownJob(taskId));
      if (!found || (await found.job.getState()) !== 'failed') return 'none';
      // Only the run this node queued last: a run's signed failure put back later (its job's hash saved
      // and restored by anyone who can write to Redis) fails no other run.
      const run = this.runs.get(taskId);
      const word =
        run === found.fields.nonce
          ? verifyFailure(this.deps.trust, found.job.failedReason ?? '', { taskId, nonce: run })
          : null;
      if (!word) return 'unsigned';
      this.deps.onFailed(taskId, shorten(word.reason || 'no reason given', 500));
      this.lastChecked.delete(taskId);
      this.unsignedFailures.delete(taskId);
      return 'reported';
    } finally {
      this.checking.delete(taskId);
    }
  }

  /**
   * A task whose job failed without a worker's word: queued again, UNSIGNED_FAILURE_LIMIT times, then
   * failed in this node's own words (never the job's, which anyone who can write to Redis may have set).
   */
  private async requeueUnsigned(task: TaskInput): Promise<void> {
    const times = (this.unsignedFailures.get(task.id) ?? 0) + 1;
    if (times > UNSIGNED_FAILURE_LIMIT) {
      this.unsignedFailures.delete(task.id);
      log.warn('a task failed in Redis without a worker’s signed word too often; its step fails', {
        task: task.id,
        times,
      });
      this.deps.onFailed(
        task.id,
        `the farm's queue ended this task ${times} times without a worker's signed word: its workers kept stalling on it, or someone who can write to Redis failed it`,
      );
      return;
    }
    this.unsignedFailures.set(task.id, times);
    log.warn('a task failed in Redis without a worker’s signed word; queued again', { task: task.id, times });
    await this.submit(task);
  }

  /**
   * The task's job that carries the task this node signed for it, in the queue it was signed for.
   * A job of the same id anyone else put in some queue is passed over, and so is anything under its
   * key too large to be a task (its size is looked at in Redis first, never read here): anyone who can
   * write to Redis could otherwise hide a task behind a stranger's job of its id, or make each look read
   * half a gigabyte.
   */
  private async ownJob(
    taskId: string,
  ): Promise<{ job: Job; encoder: string; fields: SignedTaskFields } | undefined> {
    const pipeline = this.deps.link.client.pipeline();
    for (const encoder of FARM_ENCODERS)
      pipeline.eval(JOB_SIZE_SCRIPT, 1, this.queue(encoder).toKey(taskId), MAX_JOB_FIELDS);
    const sizes = ((await pipeline.exec()) ?? []).map(([error, size]) => (error ? -1 : Number(size)));
    for (const [i, encoder] of FARM_ENCODERS.entries()) {
      const size = sizes[i] ?? 0;
      if (size <= 0 || size > MAX_JOB_BYTES) continue;
      const job = await Job.fromId(this.queue(encoder), taskId);
      if (!job) continue;
      const place = { farm: this.deps.farmId, queue: this.deps.keys.queueOf(encoder), jobKey: taskId };
      const checked = verifyTask(this.deps.trust, job.data, place, (this.deps.clock ?? Date.now)());
      if (checked.ok && checked.fields.originId === this.deps.identity.id)
        return { job, encoder, fields: checked.fields };
    }
    return undefined;
  }

  async submit(task: TaskInput): Promise<string | undefined> {
    this.sent.add(task.id);
    // Not reachable now: the task waits in this node's table and goes out on the next reconcile.
    if (!this.deps.link.available) return undefined;
    this.sending.add(task.id);
    return this.within('submit', async () => {
      const found = await this.ownJob(task.id);
      if (found) {
        const state = await found.job.getState();
        // 'unknown': its hash is there but no list holds it, so no worker ever would.
        if (state !== 'failed' && state !== 'completed' && state !== 'unknown') {
          this.runs.set(task.id, found.fields.nonce);
          return state === 'active' ? 'leased' : 'queued';
        }
        // The step runs again (a retry, or its video never got here): fresh attempts, a fresh job.
        await found.job.remove();
      }
      const encoder = this.deps.route(task.requirements.encoders);
      const name = this.deps.keys.queueOf(encoder);
      // Whatever else sits under this task's id in its queue is not this node's (a stranger's job, junk):
      // left there, the add below would keep it and the task would never be queued.
      // Looked for first (its key, not its data: it may be oversized): BullMQ's remove answers 1 for a
      // job that is not there too, and every honest submit logged this warning.
      const held = (await this.deps.link.client.exists(this.queue(encoder).toKey(task.id))) === 1;
      if (held && (await this.queue(encoder).remove(task.id)) === 1)
        log.warn('a job this node did not sign held the task’s id; removed', { task: task.id, queue: name });
      const now = (this.deps.clock ?? Date.now)();
      const data = signTask(
        this.deps.identity,
        {
          farm: this.deps.farmId,
          queue: name,
          taskId: task.id,
          jobId: task.jobId,
          originUrl: task.originUrl,
          originTls: this.deps.originTls,
          plan: task.plan,
        },
        now,
      );
      await this.queue(encoder).add('encode', data, {
        jobId: task.id,
        priority: bullPriority(task.priority),
        attempts: REDIS_TUNING.attempts,
        backoff: { ...REDIS_TUNING.backoff },
        removeOnComplete: { ...REDIS_TUNING.keepCompleted },
        removeOnFail: { ...REDIS_TUNING.keepFailed },
      });
      // BullMQ keeps a job already under the id (one it could not remove, e.g. a lock set beside it),
      // and answers with the data it was given: only Redis says whether the task is there.
      if (!(await this.ownJob(task.id))) {
        log.warn('a job this node did not sign holds the task’s id; queued again later', { task: task.id });
        return undefined;
      }
      this.runs.set(task.id, (JSON.parse(data.fields) as SignedTaskFields).nonce);
      log.info('task queued', { task: task.id, queue: name });
      return 'queued';
    }).finally(() => this.sending.delete(task.id));
  }

  async setPriority(_jobId: string, taskIds: string[], priority: number): Promise<void> {
    await this.within('priority', async () => {
      for (const taskId of taskIds) {
        const found = await this.ownJob(taskId);
        // A task already encoding keeps its worker; one waiting moves in its queue.
        const state = found ? await found.job.getState() : 'missing';
        if (found && (state === 'prioritized' || state === 'waiting' || state === 'delayed'))
          await found.job.changePriority({ priority: bullPriority(priority) });
      }
    });
  }

  async withdraw(taskId: string): Promise<void> {
    await this.within('withdraw', async () => {
      const found = await this.ownJob(taskId);
      if (!found) return;
      if ((await found.job.getState()) === 'active') {
        // A locked job cannot be removed: the worker encoding it hears this and stops. The message names
        // this very job (its signed nonce): replayed later, it stops no other run of the task.
        const message = signWithdrawal(
          this.deps.identity,
          { taskId, nonce: found.fields.nonce },
          (this.deps.clock ?? Date.now)(),
        );
        await this.deps.link.client.publish(this.deps.keys.withdrawals, JSON.stringify(message));
      } else {
        await found.job.remove();
      }
      this.sent.delete(taskId);
      this.lastChecked.delete(taskId);
      this.unsignedFailures.delete(taskId);
      this.runs.delete(taskId);
      log.info('task withdrawn', { task: taskId });
    });
  }

  /**
   * Keeps an upload only while the uploader holds the job: it is active, its lock is the one the
   * upload's lease names, and the lock's holder is the (signed) uploader.
   */
  async complete({
    taskId,
    leaseId,
    workerId,
  }: {
    taskId: string;
    leaseId: string;
    workerId: string;
  }): Promise<'accepted' | 'stale'> {
    return this.within('fence', async () => {
      const found = await this.ownJob(taskId);
      if (!found) return 'stale';
      const queue = this.queue(found.encoder);
      const [state, token] = await Promise.all([
        found.job.getState(),
        this.deps.link.client.get(`${queue.toKey(taskId)}:lock`),
      ]);
      const holds =
        state === 'active' &&
        token !== null &&
        leaseIdOf(token) === leaseId &&
        found.job.processedBy === workerId;
      if (!holds)
        log.warn('an upload does not hold its task', { task: taskId, lease: leaseId, worker: workerId });
      return holds ? 'accepted' : 'stale';
    });
  }

  /**
   * Queues again the tasks a step still waits for that Redis no longer has (it lost its last writes,
   * or was emptied), and those whose job finished without their video reaching this node; reports
   * those whose job failed (a failure whose event never came, or came while events were not heard).
   */
  async reconcile(awaited: TaskInput[], stillWaiting: (taskId: string) => boolean): Promise<void> {
    // Only what this node sent before and is not sending right now: a task a step is only now
    // submitting is that step's business (after a restart, every waiting step submits its task again).
    const tasks = awaited.filter((task) => this.sent.has(task.id) && !this.sending.has(task.id));
    if (!this.deps.link.available || tasks.length === 0) return;
    const lost: TaskInput[] = [];
    const failed: TaskInput[] = [];
    const stranded: TaskInput[] = [];
    for (const task of tasks) {
      // Each task on its own: one that cannot be looked at keeps no other from being queued again.
      const { state, encoder } = await this.within('reconcile', async () => {
        const found = await this.ownJob(task.id);
        return found
          ? { state: await found.job.getState(), encoder: found.encoder }
          : { state: 'missing', encoder: null };
      }).catch((error: unknown) => {
        log.debug('a task could not be looked at', { task: task.id, error: String(error) });
        return { state: 'unreadable', encoder: null };
      });
      // 'unknown': a hash no list holds, which no worker would ever take.
      if (state === 'missing' || state === 'completed' || state === 'unknown') lost.push(task);
      if (state === 'failed') failed.push(task);
      if (encoder && WAITING_STATES.has(state) && this.isStranded(task, encoder)) stranded.push(task);
    }
    // Sent where no live node takes it (routed while no node was seen, or its nodes left) while one
    // takes another of its encoders: moved there. It waited for good (found by attacking Redis mode).
    for (const task of stranded.filter((t) => stillWaiting(t.id))) {
      log.warn('a waiting task no live node takes moves to a queue one does', { task: task.id });
      await this.within('move', async () => {
        const found = await this.ownJob(task.id);
        if (found && WAITING_STATES.has(await found.job.getState())) await found.job.remove();
      })
        .then(() => this.submit(task))
        .catch((error: unknown) =>
          log.warn('could not move the task', { task: task.id, error: String(error) }),
        );
    }
    for (const task of failed.filter((t) => stillWaiting(t.id))) {
      const found = await this.reportIfFailed(task.id).catch((error: unknown) => {
        log.debug('a failure could not be checked', { task: task.id, error: String(error) });
        return 'none';
      });
      if (found === 'unsigned')
        await this.requeueUnsigned(task).catch((error: unknown) =>
          log.warn('could not queue the task again', { task: task.id, error: String(error) }),
        );
    }
    // A video may have arrived meanwhile (its job completes only after this node recorded it).
    for (const task of lost.filter((t) => stillWaiting(t.id))) {
      log.warn('a task the farm should hold was not queued; queued again', { task: task.id });
      await this.submit(task).catch((error: unknown) =>
        log.warn('could not queue the task again', { task: task.id, error: String(error) }),
      );
    }
  }

  private isStranded(task: TaskInput, encoder: string): boolean {
    const routed = this.deps.route(task.requirements.encoders);
    return routed !== encoder && !this.deps.serves(encoder) && this.deps.serves(routed);
  }

  /** The farm's queue across every encoder (for status and the scale-up hook). */
  async counts(encoders: readonly string[] = FARM_ENCODERS): Promise<QueueCounts> {
    const all = await this.within('counts', () =>
      Promise.all(
        encoders.map((encoder) =>
          this.queue(encoder).getJobCounts('wait', 'prioritized', 'delayed', 'active', 'completed', 'failed'),
        ),
      ),
    );
    const total = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const c of all) {
      total.queued += (c.wait ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0);
      total.running += c.active ?? 0;
      total.done += c.completed ?? 0;
      total.failed += c.failed ?? 0;
    }
    return total;
  }
}

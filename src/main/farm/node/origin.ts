import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { type RenderPlan, validateRenderPlan } from '../../../shared/render-plan.ts';
import { StepError } from '../../engine/errors.ts';
import type { EncoderFallback, FfmpegLocation } from '../../ffmpeg/index.ts';
import { planExpectation, verifyVideo } from '../../ffmpeg/index.ts';
import { createLogger } from '../../log/logger.ts';
import { isPartialPath } from '../../util/atomic-file.ts';
import { sha256Hex } from '../../util/hash.ts';
import type { FarmClient, Peer } from '../net/index.ts';
import type { TaskInput } from '../queue/index.ts';
import { coordinatorQueue } from './coordinator-queue.ts';
import type { OriginQueue } from './origin-queue.ts';

/** A partial result upload untouched this long was left by a killed node. */
const ABANDONED_UPLOAD_MS = 60 * 60 * 1000;
/** The jobs whose farm tasks are still wanted: the one place "queued or running" is written for them. */
const LIVE_JOBS = "SELECT id FROM jobs WHERE status IN ('queued', 'running')";
const log = createLogger('FarmOrigin');
/**
 * A task of a job that is no longer queued or running is forgotten this long after it was made: until
 * then a re-run of the job's encode collects the video already made (keptResult); after that the row is
 * only history, and rows would otherwise pile up, one for every video this node sent to the farm.
 */
export const ORIGIN_TASK_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

interface OriginRow {
  task_id: string;
  job_id: string;
  plan: string;
  priority: number;
  created_at: number;
  result_path: string | null;
  result_sha256: string | null;
  encoder: string | null;
  /** JSON {from, reason}: the worker fell back from that encoder (see encoder-fallback.ts). */
  fallback: string | null;
  /** For a segment: the task id the whole video would have had (its segments share it). */
  split_of: string | null;
}

/** The plan a row stores, checked again (the database is a file anyone on the Mac could edit). */
function planOfRow(row: OriginRow): RenderPlan | undefined {
  const checked = validateRenderPlan(JSON.parse(row.plan));
  return checked.ok ? checked.plan : undefined;
}

/**
 * Blobs this node's farm tasks still need: the assets their plans name (workers fetch them from here)
 * and the results kept for a re-run. Read by garbage collection, which may run in another process
 * (`vfo gc`) while this node's tasks are out, so it reads the table rather than asking an Origin.
 */
export function blobsHeldByOriginTasks(sqlite: Database.Database): Set<string> {
  const held = new Set<string>();
  const rows = sqlite.prepare('SELECT plan, result_sha256 FROM farm_origin_tasks').all() as Pick<
    OriginRow,
    'plan' | 'result_sha256'
  >[];
  for (const row of rows) {
    if (row.result_sha256) held.add(row.result_sha256);
    try {
      const plan = JSON.parse(row.plan) as { assets?: Record<string, { sha256?: unknown }> };
      for (const asset of Object.values(plan.assets ?? {})) {
        if (typeof asset.sha256 === 'string') held.add(asset.sha256);
      }
    } catch {
      // An unreadable plan holds nothing this node could still send.
    }
  }
  return held;
}

export interface FarmResult {
  path: string;
  sha256: string;
  encoder: string;
  /** Set when the worker's first encoder failed at run time and `encoder` is the plan's next one. */
  fallback?: EncoderFallback;
}

function fallbackOfRow(row: OriginRow): EncoderFallback | undefined {
  if (!row.fallback) return undefined;
  try {
    const parsed = JSON.parse(row.fallback) as Partial<EncoderFallback>;
    return typeof parsed.from === 'string' && typeof parsed.reason === 'string'
      ? { from: parsed.from, reason: parsed.reason }
      : undefined;
  } catch {
    return undefined;
  }
}

/** One task of the farm for this node's jobs, as the encode of one video sees it. */
export interface OriginTask {
  taskId: string;
  plan: RenderPlan;
}

export type OriginDeps = {
  sqlite: Database.Database;
  dataDir: string;
  nodeId: string;
  selfUrl: () => string;
  ffmpeg: () => Promise<FfmpegLocation>;
  /** Where the engine keeps a blob by checksum: a result already moved there can be handed out again. */
  blobPath: (sha256: string) => string;
  /** Milliseconds since the epoch (tasks' creation times, their retention). */
  clock?: () => number;
} & (
  | { queue: OriginQueue }
  // The LAN's queue: the elected coordinator, over JSON calls.
  | { client: Pick<FarmClient, 'json'>; coordinator: () => Peer | null }
);

/**
 * The tasks this node sent to the farm (table farm_origin_tasks, made by the migrations), kept until their
 * video is back: if the coordinator changes they are announced again, and a result arriving while no step
 * waits is kept.
 */
export class Origin {
  private readonly deps: OriginDeps;
  private readonly queue: OriginQueue;
  private readonly waiters = new Map<
    string,
    { resolve: (r: FarmResult) => void; reject: (e: Error) => void; renamed: (taskId: string) => void }
  >();

  constructor(deps: OriginDeps) {
    this.deps = deps;
    this.queue = 'queue' in deps ? deps.queue : coordinatorQueue(deps.client, deps.coordinator);
  }

  resultsDir(): string {
    return join(this.deps.dataDir, 'farm', 'results');
  }

  /** The same job and plan always make the same task id: resubmitting never makes a second video. */
  taskIdFor(jobId: string, planSha256: string): string {
    return sha256Hex(`${this.deps.nodeId}:${jobId}:${planSha256}`);
  }

  /**
   * Submits (or finds) one task and waits until its verified video is back here. `splitOf` groups the
   * segments of one video.
   */
  async awaitTask(input: {
    taskId: string;
    jobId: string;
    plan: RenderPlan;
    splitOf?: string;
    signal: AbortSignal;
  }): Promise<FarmResult> {
    const { taskId } = input;
    const row = this.row(taskId);
    const kept = row ? await this.keptResult(row) : undefined;
    if (kept) return kept;
    if (!row) {
      // Rows come with submissions, so that is when old ones go (their rows at once, their files soon).
      this.pruneFinished().catch((error: unknown) =>
        log.warn('could not forget old farm tasks', { error: String(error) }),
      );
      // The task takes its job's priority (`vfo submit --priority`, the app); a later change follows it.
      this.deps.sqlite
        .prepare(
          `INSERT INTO farm_origin_tasks (task_id, job_id, plan, priority, created_at, split_of)
           VALUES (?, ?, ?, coalesce((SELECT priority FROM jobs WHERE id = ?), 0), ?, ?)`,
        )
        .run(taskId, input.jobId, JSON.stringify(input.plan), input.jobId, this.now(), input.splitOf ?? null);
    }
    if (input.signal.aborted) throw input.signal.reason ?? new Error('cancelled');
    const arrived = new Promise<FarmResult>((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(current);
        reject(input.signal.reason ?? new Error('cancelled'));
      };
      let current = taskId;
      this.waiters.set(taskId, {
        resolve: (result) => {
          input.signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject: (error) => {
          input.signal.removeEventListener('abort', onAbort);
          reject(error);
        },
        renamed: (id) => {
          current = id;
        },
      });
      input.signal.addEventListener('abort', onAbort, { once: true });
    });
    // It may be rejected (cancel, the farm gave up) while the submission below is still under way,
    // before the caller awaits it: that must not count as an unhandled rejection.
    arrived.catch(() => undefined);
    const status = await this.submit(taskId).catch((error: unknown) => {
      // No coordinator yet, or it is changing: the task is announced to the next one.
      log.warn('could not submit the task now; it will be announced', { task: taskId, error: String(error) });
      return undefined;
    });
    if (status === 'done' && input.splitOf && this.isAwaiting(taskId)) await this.encodeAgain(taskId);
    return arrived;
  }

  /**
   * The coordinator finished this segment, but its video never got recorded here (this node stopped
   * between the coordinator's accept and its own write): nothing would ever deliver it again, so the
   * segment becomes a new task.
   */
  private async encodeAgain(taskId: string): Promise<void> {
    const renewed = sha256Hex(`${taskId}:again:${randomUUID()}`);
    log.warn('a finished segment never arrived here; it is encoded again', { task: taskId, as: renewed });
    this.deps.sqlite
      .prepare('UPDATE farm_origin_tasks SET task_id = ? WHERE task_id = ?')
      .run(renewed, taskId);
    const waiter = this.waiters.get(taskId);
    this.waiters.delete(taskId);
    if (waiter) {
      waiter.renamed(renewed);
      this.waiters.set(renewed, waiter);
    }
    await this.submit(renewed).catch((error: unknown) =>
      log.warn('could not submit the task now; it will be announced', {
        task: renewed,
        error: String(error),
      }),
    );
  }

  /**
   * Forgets the tasks of jobs no longer queued or running once they are older than the retention, with
   * any result file still waiting in the results folder. Returns how many went.
   */
  async pruneFinished(now: number = this.now()): Promise<number> {
    // Synchronous up to the first await: a caller inserting a row right after sees the table pruned.
    const gone = this.deps.sqlite
      .prepare(
        `DELETE FROM farm_origin_tasks WHERE created_at < ? AND job_id NOT IN (${LIVE_JOBS})
         RETURNING task_id, result_path`,
      )
      .all(now - ORIGIN_TASK_RETENTION_MS) as Pick<OriginRow, 'task_id' | 'result_path'>[];
    for (const row of gone) {
      this.waiters.delete(row.task_id);
      if (row.result_path) await rm(row.result_path, { force: true });
    }
    if (gone.length > 0) log.info('old farm tasks forgotten', { count: gone.length });
    await this.removeAbandonedUploads(now);
    return gone.length;
  }

  /**
   * Partial result uploads nothing has written to for an hour: their node was killed while they landed
   * (an upload being received writes all the time), and nothing else ever removed them.
   */
  private async removeAbandonedUploads(now: number): Promise<void> {
    const names = await readdir(this.resultsDir()).catch(() => [] as string[]);
    for (const name of names.filter(isPartialPath)) {
      const path = join(this.resultsDir(), name);
      const modified = (await stat(path).catch(() => null))?.mtimeMs;
      if (modified !== undefined && now - modified > ABANDONED_UPLOAD_MS) await rm(path, { force: true });
    }
  }

  private now(): number {
    return (this.deps.clock ?? Date.now)();
  }

  /** Whether the whole video `taskId` already has a task (a re-run keeps what it started as). */
  hasTask(taskId: string): boolean {
    return this.row(taskId) !== undefined;
  }

  /**
   * The segments already made for the video whose whole task id is `splitOf`, in order; undefined
   * when there are none, or when a finished segment's file is gone (the split is then dropped).
   */
  async segmentsOf(splitOf: string): Promise<OriginTask[] | undefined> {
    const rows = this.deps.sqlite
      .prepare('SELECT * FROM farm_origin_tasks WHERE split_of = ?')
      .all(splitOf) as OriginRow[];
    if (rows.length === 0) return undefined;
    const tasks: OriginTask[] = [];
    for (const row of rows) {
      const plan = planOfRow(row);
      const lost = row.result_path !== null && !existsSync(row.result_path);
      if (!plan?.segment || lost) {
        await this.dropSegments(splitOf);
        return undefined;
      }
      tasks.push({ taskId: row.task_id, plan });
    }
    tasks.sort((a, b) => (a.plan.segment?.index ?? 0) - (b.plan.segment?.index ?? 0));
    const complete = tasks.every(
      (t, i) => t.plan.segment?.index === i && t.plan.segment.count === tasks.length,
    );
    if (complete) return tasks;
    await this.dropSegments(splitOf);
    return undefined;
  }

  /**
   * Forgets a video's segments and deletes their files (joined, cancelled, or no longer usable); the
   * ones still queued or encoding are withdrawn from the farm.
   */
  async dropSegments(splitOf: string): Promise<void> {
    const rows = this.deps.sqlite
      .prepare('SELECT * FROM farm_origin_tasks WHERE split_of = ?')
      .all(splitOf) as OriginRow[];
    for (const row of rows) await this.withdraw(row.task_id);
  }

  /**
   * This node no longer wants the task: the coordinator stops it (best effort: a coordinator that
   * does not hear it only encodes a video nobody collects), and the row and any result are deleted.
   */
  async withdraw(taskId: string): Promise<void> {
    const row = this.row(taskId);
    if (!row) return;
    this.waiters.delete(taskId);
    this.deps.sqlite.prepare('DELETE FROM farm_origin_tasks WHERE task_id = ?').run(taskId);
    if (row.result_path) {
      await rm(row.result_path, { force: true });
      return;
    }
    await this.queue
      .withdraw(taskId)
      .catch((error: unknown) =>
        log.warn('could not withdraw the task', { task: taskId, error: String(error) }),
      );
  }

  /**
   * The job's priority changed (the app): its tasks not back yet take it here (a new coordinator hears
   * it in the announcements) and in the farm's queue now. Returns how many tasks it moved here.
   */
  async setJobPriority(jobId: string, priority: number): Promise<number> {
    const rows = this.deps.sqlite
      .prepare(
        'UPDATE farm_origin_tasks SET priority = ? WHERE job_id = ? AND result_path IS NULL RETURNING task_id',
      )
      .all(priority, jobId) as Pick<OriginRow, 'task_id'>[];
    if (rows.length > 0) {
      await this.queue
        .setPriority(
          jobId,
          rows.map((row) => row.task_id),
          priority,
        )
        .catch((error: unknown) =>
          log.warn('could not tell the farm’s queue the new priority; it hears it when the tasks go again', {
            job: jobId,
            error: String(error),
          }),
        );
    }
    return rows.length;
  }

  /** Sends the task to the farm's queue; its status there (undefined: no queue to ask now). */
  async submit(taskId: string): Promise<string | undefined> {
    const row = this.row(taskId);
    return row ? this.queue.submit(this.inputOf(row)) : undefined;
  }

  /** How many of this node's tasks are not back yet (the menu bar's count; no plan is read). */
  unfinishedCount(): number {
    const row = this.deps.sqlite
      .prepare('SELECT count(*) AS n FROM farm_origin_tasks WHERE result_path IS NULL')
      .get() as { n: number };
    return row.n;
  }

  /** Everything not back yet, for a new coordinator. */
  unfinished(): TaskInput[] {
    const rows = this.deps.sqlite
      .prepare('SELECT * FROM farm_origin_tasks WHERE result_path IS NULL')
      .all() as OriginRow[];
    return rows.map((r) => this.inputOf(r));
  }

  planOf(taskId: string): RenderPlan | undefined {
    const row = this.row(taskId);
    return row ? planOfRow(row) : undefined;
  }

  isAwaiting(taskId: string): boolean {
    const row = this.row(taskId);
    return Boolean(row && !row.result_path);
  }

  /** The unfinished tasks of jobs still queued or running here: a failed job's task keeps its row until it is cancelled. */
  awaited(): TaskInput[] {
    const rows = this.deps.sqlite
      .prepare(`SELECT * FROM farm_origin_tasks WHERE result_path IS NULL AND job_id IN (${LIVE_JOBS})`)
      .all() as OriginRow[];
    return rows.map((r) => this.inputOf(r));
  }

  /** Awaited by a job still queued or running (see awaited). */
  isWanted(taskId: string): boolean {
    const row = this.deps.sqlite
      .prepare(
        `SELECT 1 FROM farm_origin_tasks WHERE task_id = ? AND result_path IS NULL AND job_id IN (${LIVE_JOBS})`,
      )
      .get(taskId);
    return row !== undefined;
  }

  /**
   * A worker's upload has landed in `tempPath` with a verified checksum: check it is the video the plan
   * asked for, then let the coordinator decide whether this lease still holds the task (fencing).
   */
  async acceptUpload(input: {
    taskId: string;
    leaseId: string;
    tempPath: string;
    sha256: string;
    encoder: string;
    fallback?: EncoderFallback;
    /** The signed uploader: the coordinator checks it holds the lease. */
    workerId: string;
  }): Promise<boolean> {
    const plan = this.planOf(input.taskId);
    if (!plan || !this.isAwaiting(input.taskId)) return false;
    const ffmpeg = await this.deps.ffmpeg();
    // A segment must be exactly its frames, video only: the join relies on it.
    await verifyVideo(ffmpeg.ffprobePath, ffmpeg.ffmpegPath, input.tempPath, planExpectation(plan));
    const { taskId, leaseId, workerId } = input;
    if ((await this.queue.complete({ taskId, leaseId, workerId })) !== 'accepted') return false;
    await mkdir(this.resultsDir(), { recursive: true });
    this.deps.sqlite
      .prepare(
        'UPDATE farm_origin_tasks SET result_path = ?, result_sha256 = ?, encoder = ?, fallback = ? WHERE task_id = ? AND result_path IS NULL',
      )
      .run(
        input.tempPath,
        input.sha256,
        input.encoder,
        input.fallback ? JSON.stringify(input.fallback) : null,
        input.taskId,
      );
    log.info('result accepted', { task: input.taskId, lease: input.leaseId, fallback: input.fallback });
    const waiter = this.waiters.get(input.taskId);
    this.waiters.delete(input.taskId);
    waiter?.resolve({
      path: input.tempPath,
      sha256: input.sha256,
      encoder: input.encoder,
      ...(input.fallback ? { fallback: input.fallback } : {}),
    });
    return true;
  }

  /**
   * The farm gave up (every attempt failed): the waiting step fails for good, with the reason. Or an
   * operator cancelled the task (`byOperator`, the coordinator's word): the step, and its job, are
   * cancelled — it was neither a failed render nor one to count as such.
   */
  failTask(taskId: string, reason: string, { byOperator = false } = {}): boolean {
    const waiter = this.waiters.get(taskId);
    this.waiters.delete(taskId);
    waiter?.reject(
      byOperator
        ? new StepError('cancelled', `its farm task was ${reason}`)
        : new StepError('fatal', `the farm could not encode this video: ${reason}`),
    );
    return Boolean(waiter);
  }

  /** A result that came back earlier (the step is re-run, or the node restarted while it waited). */
  private async keptResult(row: OriginRow): Promise<FarmResult | undefined> {
    if (!row.result_path || !row.result_sha256 || !row.encoder) return undefined;
    const fallback = fallbackOfRow(row);
    const result: FarmResult = {
      path: row.result_path,
      sha256: row.result_sha256,
      encoder: row.encoder,
      ...(fallback ? { fallback } : {}),
    };
    if (existsSync(row.result_path)) return result;
    const blob = this.deps.blobPath(row.result_sha256);
    if (!existsSync(blob)) return undefined;
    // The engine moved it into its blob store: hand out a copy (the engine consumes what it is given).
    const copy = join(this.resultsDir(), `${row.task_id}-again.mp4`);
    await mkdir(this.resultsDir(), { recursive: true });
    await copyFile(blob, copy);
    return { ...result, path: copy };
  }

  private row(taskId: string): OriginRow | undefined {
    return this.deps.sqlite.prepare('SELECT * FROM farm_origin_tasks WHERE task_id = ?').get(taskId) as
      | OriginRow
      | undefined;
  }

  private inputOf(row: OriginRow): TaskInput {
    const plan = JSON.parse(row.plan) as RenderPlan;
    return {
      id: row.task_id,
      originNodeId: this.deps.nodeId,
      originUrl: this.deps.selfUrl(),
      jobId: row.job_id,
      priority: row.priority,
      createdAt: row.created_at,
      plan,
      requirements: { encoders: plan.output.encoders },
    };
  }
}

import { join } from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import type { OpenedDatabase } from '../db/open.ts';
import { createLogger } from '../log/logger.ts';
import { DEFAULT_KEEP_FREE_BYTES, diskBudgetSetting, keepFreeSetting } from '../settings/index.ts';
import { hashJson } from '../util/hash.ts';
import { type BlobRepairOutcome, repairBlob } from './blob-repair.ts';
import { BlobStore } from './blob-store.ts';
import { ShutdownError, StepError } from './errors.ts';
import { type EngineListener, EventHub } from './events.ts';
import { collectGarbage, type GcOptions, type GcReport, measureUsage } from './garbage-collector.ts';
import {
  compilePipeline,
  downstreamOf,
  type KnownKinds,
  PipelineError,
  recipeProblemText,
  type TaskGraph,
} from './graph.ts';
import { runJob } from './job-runner.ts';
import type { JobSettings } from './job-settings.ts';
import { type JobRow, JobStore } from './job-store.ts';
import { isRunnerAlive, JOB_HEARTBEAT_MS, ownerId, type RepairReport, repairInterrupted } from './repair.ts';
import { resolveSettings, SettingsError, type SettingsRequest } from './settings-resolver.ts';
import type { HandlerRegistry } from './step-handler.ts';

export interface EngineOptions {
  dataDir: string;
  database: OpenedDatabase;
  handlers: HandlerRegistry;
  /** Shared with the step services that read blobs; one is made from dataDir when absent. */
  blobs?: BlobStore;
  /** Steps running at once across all jobs (speech, captions...). */
  stepConcurrency?: number;
  /** Encodes running at once on this machine. */
  encoderSlots?: number;
  maxAttempts?: number;
  /** Delay before retry n (1-based); doubles by default. */
  backoffMs?: (attempt: number) => number;
  cancelPollMs?: number;
  /** How often a running job's row says this process still runs it (repair.ts JOB_HEARTBEAT_MS). */
  heartbeatMs?: number;
  /** Blobs this node's farm tasks still need: garbage collection never removes them. */
  heldByFarm?: () => Iterable<string>;
  /**
   * Bytes the blobs and scratch folders may take before the engine collects garbage after a job
   * ends (null: never on its own); the `storage.diskBudget` setting by default.
   */
  diskBudget?: () => number | null;
  /** Free disk a step needs to start; the `storage.keepFree` setting (2 GB) by default. */
  keepFreeBytes?: () => number;
}

const log = createLogger('Engine');

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new StepError('cancelled', 'job cancelled'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new StepError('cancelled', 'job cancelled'));
      },
      { once: true },
    );
  });
}

/** The headless job engine: the same object serves the CLI, the desktop app and a farm node. */
export class Engine {
  readonly store: JobStore;
  readonly blobs: BlobStore;
  readonly events = new EventHub();
  private readonly options: EngineOptions;
  private readonly stepSlots: LimitFunction;
  private readonly encoderSlots: LimitFunction;
  private readonly running = new Map<string, AbortController>();
  private readonly runs = new Set<Promise<unknown>>();
  private collecting: Promise<GcReport | undefined> | null = null;
  private stopping = false;

  constructor(options: EngineOptions) {
    this.options = options;
    this.blobs = options.blobs ?? new BlobStore(options.dataDir);
    const blobs = this.blobs;
    this.store = new JobStore(options.database.db, (sha256) => blobs.pathFor(sha256));
    this.stepSlots = pLimit(options.stepConcurrency ?? 2);
    this.encoderSlots = pLimit(options.encoderSlots ?? 1);
  }

  get workRoot(): string {
    return join(this.options.dataDir, 'work');
  }

  /** Must run before new work on every start: puts back what a crash left half done. */
  repair(): Promise<RepairReport> {
    return repairInterrupted(this.store, this.workRoot, log);
  }

  /**
   * Recreates a stored blob that no longer matches its checksum by running again the step that made it
   * (see blob-repair.ts); the jobs' records are not touched.
   */
  repairBlob(sha256: string): Promise<BlobRepairOutcome> {
    return repairBlob(
      {
        store: this.store,
        blobs: this.blobs,
        handlers: this.options.handlers,
        workRoot: this.workRoot,
        log,
        slotsFor: (handler) => (handler.resource === 'encoder' ? this.encoderSlots : this.stepSlots),
      },
      sha256,
    );
  }

  /** The step kinds this build runs, with what each reads and takes: the Library checks recipes by them. */
  stepKinds(): KnownKinds {
    return this.options.handlers;
  }

  /** Why this build cannot run the settings' recipe (see compileRecipe), or null: `vfo check` asks. */
  recipeProblem(settings: JobSettings): string | null {
    try {
      this.compileRecipe(settings);
      return null;
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      return error.message;
    }
  }

  /** A recipe row this build cannot run (edited by hand: no video step, a cycle) is named before any job. */
  private compileRecipe(settings: JobSettings): TaskGraph {
    try {
      return compilePipeline(settings.recipe.pipeline, this.options.handlers);
    } catch (error) {
      if (!(error instanceof PipelineError)) throw error;
      throw new SettingsError(recipeProblemText(settings.recipe, error));
    }
  }

  subscribe(listener: EngineListener): () => void {
    return this.events.subscribe(listener);
  }

  /**
   * A job for this input with the current recipe and presets. An unfinished job with exactly the same
   * input and settings is resumed rather than duplicated.
   */
  createJob(
    request: SettingsRequest,
    options: { priority?: number } = {},
  ): { job: JobRow; resumed: boolean } {
    const settings = resolveSettings(this.options.database.db, request);
    const graph = this.compileRecipe(settings);
    const inputKey = hashJson(settings);
    const existing = this.store.findUnfinishedByKey(inputKey);
    if (existing && !this.running.has(existing.id)) {
      // Asked for again, a job cancelled or failed is queued again: the latest asked for its file.
      const resumed = this.store.reopen(existing.id) ? (this.store.getJob(existing.id) as JobRow) : existing;
      this.supersede(resumed);
      // The priority is not part of the input: asking again with another one changes the job's.
      if (options.priority !== undefined && options.priority !== resumed.priority) {
        this.store.setPriority(resumed.id, options.priority);
        return { job: { ...resumed, priority: options.priority }, resumed: true };
      }
      return { job: resumed, resumed: true };
    }
    const job = this.store.createJob(settings, graph, inputKey, options.priority ?? 0);
    this.supersede(job);
    return { job, resumed: false };
  }

  /**
   * The latest job asked for a file is the one that makes it: older queued ones are cancelled. A job a
   * crash left queued ran at the next start and delivered over a newer video of the same script, made
   * since with other settings.
   */
  private supersede(job: JobRow): void {
    const { outputPath } = job.input as unknown as JobSettings['input'];
    const error = `superseded by job ${job.id}, which delivers to the same file`;
    const { cancelled, stopping } = this.store.supersedeOlder(outputPath, job.id, error);
    for (const jobId of cancelled) {
      log.info('queued job superseded', { job: jobId, by: job.id });
      this.events.emit({ type: 'job', jobId, status: 'cancelled', error });
    }
    // A running one ends as cancelled, with this reason, when its runner (here or in another process) hears.
    for (const jobId of stopping) {
      log.info('running job superseded', { job: jobId, by: job.id });
      this.running.get(jobId)?.abort();
    }
  }

  async run(jobId: string, signal?: AbortSignal): Promise<JobRow> {
    if (this.running.has(jobId)) throw new Error(`job ${jobId} is already running`);
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
    this.running.set(jobId, controller);
    const run = (async () =>
      runJob(
        {
          store: this.store,
          blobs: this.blobs,
          handlers: this.options.handlers,
          events: this.events,
          log,
          workRoot: this.workRoot,
          owner: ownerId(),
          runnerAlive: isRunnerAlive,
          stepSlots: this.stepSlots,
          encoderSlots: this.encoderSlots,
          maxAttempts: this.options.maxAttempts ?? 3,
          backoffMs: this.options.backoffMs ?? ((n) => 1000 * 2 ** (n - 1)),
          sleep: abortableSleep,
          cancelPollMs: this.options.cancelPollMs ?? 500,
          heartbeatMs: this.options.heartbeatMs ?? JOB_HEARTBEAT_MS,
          keepFreeBytes:
            this.options.keepFreeBytes ??
            (() => keepFreeSetting.read(this.options.database.db)?.minBytes ?? DEFAULT_KEEP_FREE_BYTES),
        },
        jobId,
        controller.signal,
      ))();
    this.runs.add(run);
    try {
      return await run;
    } finally {
      this.running.delete(jobId);
      this.runs.delete(run);
      await this.collectOverBudget();
    }
  }

  /** `vfo gc`: removes what failed and cancelled jobs, crashed attempts and orphaned blobs hold. */
  collectGarbage(options: GcOptions = {}): Promise<GcReport> {
    return collectGarbage(
      {
        store: this.store,
        blobs: this.blobs,
        workRoot: this.workRoot,
        dataDir: this.options.dataDir,
        log,
        ...(this.options.heldByFarm ? { heldByFarm: this.options.heldByFarm } : {}),
      },
      options,
    );
  }

  /**
   * After a job ends: when blobs + scratch pass the disk budget, collect (oldest first) until under
   * it. One collection at a time; a failure is logged, never the job's.
   */
  collectOverBudget(): Promise<GcReport | undefined> {
    if (this.stopping) return Promise.resolve(undefined);
    if (!this.collecting) {
      const collecting = this.collectIfOverBudget().finally(() => {
        this.collecting = null;
      });
      this.collecting = collecting;
    }
    return this.collecting;
  }

  private async collectIfOverBudget(): Promise<GcReport | undefined> {
    try {
      const budget = (
        this.options.diskBudget ?? (() => diskBudgetSetting.read(this.options.database.db)?.maxBytes ?? null)
      )();
      if (budget === null) return undefined;
      if ((await measureUsage(this.blobs, this.workRoot, this.options.dataDir)) <= budget) return undefined;
      const report = await this.collectGarbage({ targetBytes: budget });
      if (report.usageAfter > budget) {
        log.warn(
          'still over the disk budget: what is left belongs to live and finished jobs, or is speech used within the week',
          {
            budget,
            usage: report.usageAfter,
          },
        );
      }
      return report;
    } catch (error) {
      log.error('garbage collection failed', { error: String(error) });
      return undefined;
    }
  }

  /**
   * Stop every running job so it resumes on the next start (not 'cancelled'), and wait for them to let
   * go of the database and their encoders.
   */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const controller of this.running.values()) controller.abort(new ShutdownError());
    await Promise.allSettled([...this.runs]);
    await this.collecting;
  }

  /**
   * Prepare a failed, cancelled or finished job to run again. With `fromStep`, that step and everything
   * downstream of it are recomputed even if identical results exist; without it, only what did not
   * finish runs again.
   */
  retry(jobId: string, fromStep?: string): JobRow {
    const job = this.store.getJob(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    const running = () => new Error(`job ${jobId} is running; cancel it first`);
    if (job.status === 'running') throw running();
    const settings = job.snapshot as unknown as JobSettings;
    const graph = compilePipeline(settings.recipe.pipeline, this.options.handlers);
    if (fromStep && !graph.steps.some((s) => s.key === fromStep)) {
      throw new Error(
        `job ${jobId} has no step "${fromStep}" (steps: ${graph.steps.map((s) => s.key).join(', ')})`,
      );
    }
    const redo = fromStep ? downstreamOf(graph, fromStep) : new Set<string>();
    this.store.transaction(() => {
      // Looked at again where it is written: another process may have started it since.
      if (this.store.getJob(jobId)?.status === 'running') throw running();
      for (const step of this.store.steps(jobId)) {
        if (redo.has(step.stepKey))
          this.store.updateStep(step.id, { status: 'pending', force: true, progress: 0 });
        else if (step.status !== 'done') this.store.updateStep(step.id, { status: 'pending', progress: 0 });
      }
      this.store.setJobStatus(jobId, 'queued', { error: null, cancelRequested: false });
    });
    return this.store.getJob(jobId) as JobRow;
  }

  /** Cancels a job running here at once, or one running in another process through the database. */
  cancel(jobId: string): void {
    const job = this.store.getJob(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    this.running.get(jobId)?.abort();
    // Read and written in one transaction: a queued job another process started since is asked to stop,
    // not marked cancelled under it.
    this.store.transaction(() => {
      const status = this.store.getJob(jobId)?.status;
      if (status === 'queued')
        this.store.setJobStatus(jobId, 'cancelled', { error: 'cancelled by the user' });
      else if (status === 'running') this.store.requestCancel(jobId);
    });
  }
}

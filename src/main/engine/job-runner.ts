import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LimitFunction } from 'p-limit';
import { THUMBNAIL_FILE_TYPE } from '../../shared/artifact-types.ts';
import { compactRate } from '../../shared/progress-rate.ts';
import type { Json, PipelineStep } from '../db/schema.ts';
import { whileBusyAsync } from '../db/while-busy.ts';
import type { Logger } from '../log/logger.ts';
import { checkRoom, isDiskFull } from '../util/disk-room.ts';
import { nearestExisting } from '../util/folders.ts';
import type { BlobStore, StoredBlob } from './blob-store.ts';
import {
  ClaimLostError,
  errorKindOf,
  errorMessage,
  isRetryable,
  JobBusyError,
  ShutdownError,
  StepError,
} from './errors.ts';
import type { EventHub } from './events.ts';
import { compilePipeline, PipelineError, recipeProblemText, type TaskGraph } from './graph.ts';
import { computeInputHash, fingerprintOf } from './input-hash.ts';
import type { JobSettings } from './job-settings.ts';
import type { JobRow, JobStore, StepRow } from './job-store.ts';
import { thumbnailPathFor } from './output-paths.ts';
import { KEPT_SUFFIX } from './repair.ts';
import type { HandlerRegistry, StepContext, StepHandler, StepOutput } from './step-handler.ts';

export interface RunnerDeps {
  store: JobStore;
  blobs: BlobStore;
  handlers: HandlerRegistry;
  events: EventHub;
  log: Logger;
  workRoot: string;
  owner: string;
  /** Whether another process's claim on a job still holds (repair.ts isRunnerAlive). */
  runnerAlive: (job: JobRow) => boolean;
  stepSlots: LimitFunction;
  encoderSlots: LimitFunction;
  maxAttempts: number;
  backoffMs: (attempt: number) => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  cancelPollMs: number;
  /** Free disk a step needs to start (the node's storage.keepFree); unchecked when absent. */
  keepFreeBytes?: () => number;
  /** How often the job's row is touched while it runs (its heartbeat, seen by isRunnerAlive). */
  heartbeatMs: number;
}

/**
 * Runs one job's task graph: ready steps start together (bounded by the shared slots), a step whose
 * input hash matches an earlier verified success is reused without calling its adapter, failures are
 * retried with backoff unless they are of a do-not-retry kind, and a cancel stops everything.
 */
export async function runJob(deps: RunnerDeps, jobId: string, outerSignal?: AbortSignal): Promise<JobRow> {
  const { store, events } = deps;
  const job = store.getJob(jobId);
  if (!job) throw new Error(`no job ${jobId}`);
  const settings = job.snapshot as unknown as JobSettings;
  let graph: TaskGraph;
  try {
    graph = compilePipeline(settings.recipe.pipeline, deps.handlers);
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    // A job queued by a build that ran its recipe: it fails, naming why, rather than staying queued
    // and failing to start on every start of the app.
    const message = recipeProblemText(settings.recipe, error);
    store.setJobStatus(jobId, 'failed', { error: message });
    events.emit({ type: 'job', jobId, status: 'failed', error: message });
    return store.getJob(jobId) as JobRow;
  }
  const log = deps.log.child({ job: jobId });
  // Before anything is touched: a job another live process runs is its own (its folder, its steps).
  const refused = store.claimJob(jobId, deps.owner, deps.runnerAlive);
  if (refused && 'owner' in refused) throw new JobBusyError(jobId, refused.owner);
  // Ended since it was chosen (superseded, cancelled): there is nothing to run.
  if (refused) return store.getJob(jobId) as JobRow;

  const controller = new AbortController();
  const abort = (): void =>
    controller.abort(
      outerSignal?.reason instanceof ShutdownError
        ? outerSignal.reason
        : new StepError('cancelled', 'job cancelled'),
    );
  outerSignal?.addEventListener('abort', abort, { once: true });
  if (outerSignal?.aborted) abort();
  // Another process (`vfo jobs cancel`, the GUI) asks through the database, and sees this one still
  // runs the job by its heartbeat.
  let heardAt = Date.now();
  const poll = setInterval(() => {
    try {
      if (store.isCancelRequested(jobId)) abort();
      if (Date.now() - heardAt >= deps.heartbeatMs) {
        if (!store.touchJob(jobId, deps.owner)) controller.abort(new ClaimLostError());
        heardAt = Date.now();
      }
    } catch {
      // The database closed under us (shutdown): the shutdown signal ends the job.
    }
  }, deps.cancelPollMs);

  const rows = new Map<string, StepRow>();
  const outputs = new Map<string, StepOutput>();
  const inFlight = new Map<string, Promise<void>>();
  let failure: string | null = null;
  // A step stopped by someone else's hand while this job was not cancelled here (an operator cancelled
  // its farm task): the job ends cancelled, in their words, not failed.
  let stoppedBy: string | null = null;
  try {
    events.emit({ type: 'job', jobId, status: 'running' });
    log.info('job started', { recipe: settings.recipe.slug });
    for (const row of store.steps(jobId)) rows.set(row.stepKey, row);
    for (const row of rows.values()) {
      const output = row.status === 'done' ? store.outputOf(row) : undefined;
      if (output) outputs.set(row.stepKey, output);
      else if (row.status !== 'pending') store.updateStep(row.id, { status: 'pending' });
    }
    await dropStaleOutputs(deps, { jobId, settings, graph, rows, outputs, log });
    for (;;) {
      if (!failure && !controller.signal.aborted) {
        for (const step of readySteps(graph, outputs, inFlight)) {
          const row = rows.get(step.key) as StepRow;
          const run = runStep(deps, { settings, step, row, jobId, outputs, signal: controller.signal, log })
            .then((output) => {
              outputs.set(step.key, output);
            })
            .catch((error: unknown) => {
              if (failure !== null) return;
              failure = `step "${step.key}" failed: ${errorMessage(error)}`;
              if (error instanceof StepError && error.kind === 'cancelled') stoppedBy = errorMessage(error);
            })
            .finally(() => inFlight.delete(step.key));
          inFlight.set(step.key, run);
        }
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight.values());
    }
  } catch (error) {
    // Getting the job ready failed (its rows, its cached outputs): it fails, rather than staying
    // claimed by this live process, and refused to every other, until it exits.
    failure ??= `the job could not start: ${errorMessage(error)}`;
    await Promise.allSettled(inFlight.values());
  } finally {
    clearInterval(poll);
    outerSignal?.removeEventListener('abort', abort);
  }

  // Checked again before anything is written: the heartbeat finds out only every heartbeatMs.
  if (controller.signal.reason instanceof ClaimLostError || !store.touchJob(jobId, deps.owner))
    return claimLost(deps, jobId);
  if (controller.signal.reason instanceof ShutdownError) {
    deps.store.endRun(jobId, deps.owner, 'queued', {
      error: 'interrupted by a shutdown; resumes on the next start',
    });
    return deps.store.getJob(jobId) as JobRow;
  }
  if (controller.signal.aborted) {
    // A newer job for its file (supersedeOlder) says so; otherwise the user cancelled it.
    const reason = deps.store.getJob(jobId)?.error ?? 'cancelled by the user';
    return finish(deps, jobId, 'cancelled', reason);
  }
  if (stoppedBy) return finish(deps, jobId, 'cancelled', stoppedBy);
  if (failure) return finish(deps, jobId, 'failed', failure);
  if (outputs.size !== graph.steps.length) return finish(deps, jobId, 'failed', 'not every step completed');
  try {
    const delivered = await deliver(deps, settings, graph, outputs);
    // A cancel asked for while the finished video was being delivered came too late: the job is done,
    // and the request is not left standing on it.
    const ended = store.endRun(jobId, deps.owner, 'done', {
      error: null,
      cancelRequested: false,
      outputPath: delivered?.path ?? null,
      manifest: manifestOf(settings, graph, store.steps(jobId), outputs, delivered),
    });
    if (!ended) return claimLost(deps, jobId);
    events.emit({ type: 'job', jobId, status: 'done', ...(delivered ? { outputPath: delivered.path } : {}) });
    log.info('job done', { output: delivered?.path });
  } catch (error) {
    // The disk that filled is the output folder's, which vfo gc does not free.
    const out = dirname(settings.input.outputPath);
    const why = isDiskFull(error)
      ? `no space is left on the disk holding ${out}: free some there, or render with --out on another disk`
      : errorMessage(error);
    return finish(deps, jobId, 'failed', `delivering the video: ${why}`);
  }
  return store.getJob(jobId) as JobRow;
}

function readySteps(
  graph: TaskGraph,
  outputs: Map<string, StepOutput>,
  inFlight: Map<string, unknown>,
): PipelineStep[] {
  return graph.steps.filter(
    (s) => !outputs.has(s.key) && !inFlight.has(s.key) && s.dependsOn.every((d) => outputs.has(d)),
  );
}

function finish(deps: RunnerDeps, jobId: string, status: 'failed' | 'cancelled', error: string): JobRow {
  if (!deps.store.endRun(jobId, deps.owner, status, { error })) return claimLost(deps, jobId);
  deps.events.emit({ type: 'job', jobId, status, error });
  deps.log.warn(`job ${status}`, { job: jobId, error });
  return deps.store.getJob(jobId) as JobRow;
}

/**
 * Another process took the job over while this one was stopped (found by attacking the engine: a
 * render paused for a minute had its job repaired as interrupted, and then both processes ran it,
 * each removing the other's files, and the last to end wrote its outcome). This run writes nothing.
 */
function claimLost(deps: RunnerDeps, jobId: string): JobRow {
  deps.log.warn('another process took this job over; this run stops', { job: jobId });
  return deps.store.getJob(jobId) as JobRow;
}

/**
 * A resumed job's finished steps stand only while their inputs and their files do. A step whose input
 * hash is no longer the one it ran with (its script or a medium edited since, which its fingerprint
 * reads; a step before it running again), or one of whose files is gone or no longer its checksum (a
 * crash, a damaged disk), runs again, and so does every step after it: a script fixed after a failed
 * render is read again, not its old parse, and a damaged narration is made again, not put in the video.
 */
async function dropStaleOutputs(
  deps: RunnerDeps,
  job: {
    jobId: string;
    settings: JobSettings;
    graph: TaskGraph;
    rows: Map<string, StepRow>;
    outputs: Map<string, StepOutput>;
    log: Logger;
  },
): Promise<void> {
  const { jobId, settings, rows, outputs } = job;
  // Dependencies first: a step dropped here is missing for the steps after it.
  for (const step of job.graph.steps) {
    const row = rows.get(step.key);
    if (!row || !outputs.has(step.key)) continue;
    const handler = deps.handlers.get(step.kind) as StepHandler;
    const ready = step.dependsOn.every((d) => outputs.has(d));
    const inputs = inputsOf(step, outputs);
    // A hash that cannot be computed (an unreadable script) is the step's to report when it runs.
    const hash = ready
      ? await computeInputHash(handler, { jobId, settings, step, inputs }).catch(() => null)
      : null;
    const unchanged = hash !== null && hash === row.inputHash;
    // Its files are checked too: a crash may have left a blob half-written or damaged since.
    if (unchanged && (await allStillStored(deps, outputs.get(step.key) as StepOutput))) continue;
    outputs.delete(step.key);
    deps.store.updateStep(row.id, { status: 'pending' });
    job.log.info(
      unchanged
        ? 'its files are gone or damaged: it runs again'
        : 'its inputs changed since it ran: it runs again',
      { step: step.key },
    );
  }
}

/** What a step reads: the outputs of the steps it depends on, by their keys. */
function inputsOf(step: PipelineStep, outputs: Map<string, StepOutput>): Record<string, StepOutput> {
  return Object.fromEntries(step.dependsOn.map((d) => [d, outputs.get(d) as StepOutput]));
}

interface StepRun {
  settings: JobSettings;
  step: PipelineStep;
  row: StepRow;
  jobId: string;
  outputs: Map<string, StepOutput>;
  signal: AbortSignal;
  log: Logger;
}

async function runStep(deps: RunnerDeps, run: StepRun): Promise<StepOutput> {
  const { store, events } = deps;
  const { step, row, jobId, signal } = run;
  const handler = deps.handlers.get(step.kind) as StepHandler;
  const log = run.log.child({ step: step.key });
  const inputs = inputsOf(step, run.outputs);
  const hashCtx = { jobId, settings: run.settings, step, inputs };
  /**
   * The step's input hash. Settings it cannot read fail it as a run would, named on the step: a
   * prompt asking for a variable no job gives left the step pending, with no error and exit 1.
   */
  const hashInputs = async () => {
    try {
      const fingerprint = await fingerprintOf(handler, hashCtx);
      return { fingerprint, inputHash: await computeInputHash(handler, hashCtx, fingerprint) };
    } catch (error) {
      const kind = errorKindOf(error);
      const message = errorMessage(error);
      await recorded(store, () => {
        store.updateStep(row.id, { status: 'failed', lastError: message, errorKind: kind });
        store.appendStepLog(row.id, `could not start (${kind}): ${message}`);
      });
      events.emit({ type: 'step', jobId, stepKey: step.key, status: 'failed', error: message });
      throw error;
    }
  };
  let { fingerprint, inputHash } = await hashInputs();
  /** A warning the user must see on the job; its step's log keeps it too (warningsOfRun reads it). */
  const warn = (message: string): void => {
    store.addWarning(jobId, message);
    store.appendStepLog(row.id, `warning: ${message}`);
    events.emit({ type: 'warning', jobId, message });
  };

  if (!row.force) {
    const reused = await reuseEarlierRun(deps, row, inputHash);
    if (reused) {
      log.info('reused an identical earlier run', { from: reused.from });
      // What the run said of its result holds for the result reused (a font's missing characters, an
      // offline voice in an Azure job): the job made a second time recorded none of it.
      for (const message of reused.warnings) warn(message);
      events.emit({ type: 'step', jobId, stepKey: step.key, status: 'done', reused: true });
      return reused.output;
    }
  }

  const maxAttempts = handler.maxAttempts ?? deps.maxAttempts;
  const keptDir = join(deps.workRoot, jobId, `${step.key}${KEPT_SUFFIX}`);
  for (let attempt = 1; ; attempt++) {
    const workDir = join(deps.workRoot, jobId, `${step.key}-${row.attempts + attempt}`);
    // A retry reads the files as they are now: one edited while the last attempt ran is hashed anew.
    if (attempt > 1 && handler.fingerprint) ({ fingerprint, inputHash } = await hashInputs());
    store.updateStep(row.id, {
      status: 'running',
      inputHash,
      attempts: row.attempts + attempt,
      startedAt: new Date().toISOString(),
      completedAt: null,
      progress: 0,
    });
    store.appendStepLog(row.id, `attempt ${row.attempts + attempt} started`);
    events.emit({ type: 'step', jobId, stepKey: step.key, status: 'running' });
    try {
      if (signal.aborted) throw new StepError('cancelled', 'job cancelled');
      await mkdir(workDir, { recursive: true });
      const ctx: StepContext = {
        ...hashCtx,
        fingerprint,
        workDir,
        keptDir,
        signal,
        log,
        progress: (fraction, rate) =>
          events.emit({ type: 'progress', jobId, stepKey: step.key, fraction, ...compactRate(rate) }),
        warn,
      };
      const slots = handler.resource === 'encoder' ? deps.encoderSlots : deps.stepSlots;
      const result = await slots(async () => {
        // Room is checked as the step starts, not at its end: a step that filled the disk failed
        // after all its work (an encode, three times).
        if (deps.keepFreeBytes) {
          await checkRoom(workDir, deps.keepFreeBytes());
          // And where the video goes, when that is another disk: it filled after the whole render.
          const out = dirname(run.settings.input.outputPath);
          await checkRoom(nearestExisting(out), deps.keepFreeBytes(), out);
        }
        return handler.run(ctx);
      });
      if (signal.reason instanceof ClaimLostError) throw signal.reason;
      const output = await storeResult(deps, jobId, step.key, result);
      await rm(keptDir, { recursive: true, force: true });
      await recorded(store, () => {
        store.updateStep(row.id, {
          status: 'done',
          outputRefs: refsOf(output),
          metrics: result.metrics ?? null,
          reusedFrom: null,
          force: false,
          progress: 1,
          lastError: null,
          errorKind: null,
          completedAt: new Date().toISOString(),
        });
        store.appendStepLog(row.id, 'done');
      });
      events.emit({ type: 'step', jobId, stepKey: step.key, status: 'done' });
      return output;
    } catch (error) {
      // Another process holds the job now and runs this step itself: its rows are not ours to write.
      if (signal.reason instanceof ClaimLostError) throw error;
      const kind = signal.aborted ? 'cancelled' : errorKindOf(error);
      const message = errorMessage(error);
      const retry = isRetryable(kind) && attempt < maxAttempts;
      await recorded(store, () => {
        store.updateStep(row.id, {
          status: retry ? 'running' : kind === 'cancelled' ? 'cancelled' : 'failed',
          lastError: message,
          errorKind: kind,
          ...(error instanceof StepError && error.metrics !== undefined ? { metrics: error.metrics } : {}),
        });
        store.appendStepLog(row.id, `attempt failed (${kind}): ${message}`);
      });
      log.warn('step attempt failed', { kind, error: message, attempt });
      if (!retry) {
        events.emit({
          type: 'step',
          jobId,
          stepKey: step.key,
          status: kind === 'cancelled' ? 'cancelled' : 'failed',
          error: message,
        });
        throw error;
      }
      await deps.sleep(deps.backoffMs(attempt), signal);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
}

/** The warnings of a step's successful attempt: its log's after the last attempt that failed. */
function warningsOfRun(logs: string): string[] {
  const lines = logs.split('\n');
  const after = lines.findLastIndex((line) => / attempt failed \(/.test(line)) + 1;
  return lines.slice(after).flatMap((line) => {
    const warning = /^\S+ warning: (.*)$/.exec(line)?.[1];
    return warning === undefined ? [] : [warning];
  });
}

/** Reuse an earlier success with the same hash whose files all still exist with their checksums. */
async function reuseEarlierRun(
  deps: RunnerDeps,
  row: StepRow,
  inputHash: string,
): Promise<{ output: StepOutput; from: string; warnings: string[] } | undefined> {
  for (const candidate of deps.store.doneStepsWithHash(inputHash, row.id)) {
    const earlier = deps.store.outputOf(candidate);
    if (!earlier) continue;
    const checks = await Promise.all(
      Object.values(earlier.files).map((f) => deps.blobs.verify(f.path, f.sha256)),
    );
    if (!checks.every(Boolean)) continue;
    const output: StepOutput = { files: {}, data: earlier.data };
    for (const [name, file] of Object.entries(earlier.files)) {
      const original = deps.store.artifact(file.artifactId);
      const copy = deps.store.insertArtifact({
        jobId: row.jobId,
        stepKey: row.stepKey,
        name,
        type: file.type,
        path: file.path,
        sha256: file.sha256,
        size: file.size,
        metadata: original?.metadata ?? {},
      });
      output.files[name] = { ...file, artifactId: copy.id };
    }
    // Garbage collection may have removed a file between the check above and the rows naming it
    // (it removes files in the transaction that finds them unnamed): then this candidate is gone.
    if (!(await allStillStored(deps, output))) {
      deps.store.deleteArtifacts(Object.values(output.files).map((f) => f.artifactId));
      continue;
    }
    const at = new Date().toISOString();
    deps.store.updateStep(row.id, {
      status: 'done',
      inputHash,
      outputRefs: refsOf(output),
      reusedFrom: candidate.id,
      progress: 1,
      lastError: null,
      errorKind: null,
      startedAt: at,
      completedAt: at,
    });
    deps.store.appendStepLog(row.id, `reused the result of an identical run (step ${candidate.id})`);
    return { output, from: candidate.jobId, warnings: warningsOfRun(candidate.logs) };
  }
  return undefined;
}

/** How long a step's outcome waits to be written while another process holds the database. */
const RECORD_WAIT_MS = 120_000;

/** Writes a step's outcome in one transaction, waiting out another process's lock (whileBusyAsync). */
function recorded(store: JobStore, write: () => void): Promise<void> {
  return whileBusyAsync(Date.now() + RECORD_WAIT_MS, () => store.transaction(write));
}

async function storeResult(
  deps: RunnerDeps,
  jobId: string,
  stepKey: string,
  result: Awaited<ReturnType<StepHandler['run']>>,
): Promise<StepOutput> {
  const output: StepOutput = { files: {}, data: result.data ?? null };
  const produced = Object.entries(result.files ?? {});
  const blobs: StoredBlob[] = [];
  for (const [, file] of produced) blobs.push(await deps.blobs.put(file.path));
  await recorded(deps.store, () => {
    produced.forEach(([name, file], i) => {
      const blob = blobs[i] as StoredBlob;
      const artifact = deps.store.insertArtifact({
        jobId,
        stepKey,
        name,
        type: file.type,
        path: blob.path,
        sha256: blob.sha256,
        size: blob.size,
        metadata: file.metadata ?? {},
      });
      output.files[name] = {
        artifactId: artifact.id,
        path: blob.path,
        sha256: blob.sha256,
        size: blob.size,
        type: file.type,
      };
    });
  });
  // put() may have found an identical blob that garbage collection removed before the row was written.
  if (!(await allStillStored(deps, output))) {
    deps.store.deleteArtifacts(Object.values(output.files).map((f) => f.artifactId));
    throw new Error('a result was collected while it was being stored; the step runs again');
  }
  return output;
}

async function allStillStored(deps: RunnerDeps, output: StepOutput): Promise<boolean> {
  const checks = await Promise.all(
    Object.values(output.files).map((f) => deps.blobs.verify(f.path, f.sha256)),
  );
  return checks.every(Boolean);
}

function refsOf(output: StepOutput): Json {
  const files: Record<string, string> = {};
  for (const [name, file] of Object.entries(output.files)) files[name] = file.artifactId;
  return { files, data: output.data };
}

/** The video of the last step that made one goes to the path the user asked for. */
async function deliver(
  deps: RunnerDeps,
  settings: JobSettings,
  graph: TaskGraph,
  outputs: Map<string, StepOutput>,
): Promise<{ path: string; sha256: string; size: number } | undefined> {
  for (const step of [...graph.steps].reverse()) {
    const video = Object.values(outputs.get(step.key)?.files ?? {}).find((f) => f.type === 'video');
    if (!video) continue;
    await mkdir(join(settings.input.outputPath, '..'), { recursive: true });
    // Its thumbnail goes beside it as <name>.jpg (the video is <name>.mp4), first: a thumbnail that
    // could not be delivered left the new video in place under a failed job.
    const thumbnail = Object.values(outputs.get(step.key)?.files ?? {}).find(
      (f) => f.type === THUMBNAIL_FILE_TYPE,
    );
    // Both or neither: a delivery that failed left the new thumbnail beside the old video.
    await deps.blobs.deliver([
      ...(thumbnail ? [{ blob: thumbnail, destination: thumbnailPathFor(settings.input.outputPath) }] : []),
      { blob: video, destination: settings.input.outputPath },
    ]);
    return { path: settings.input.outputPath, sha256: video.sha256, size: video.size };
  }
  return undefined;
}

function manifestOf(
  settings: JobSettings,
  graph: TaskGraph,
  rows: StepRow[],
  outputs: Map<string, StepOutput>,
  delivered: { path: string; sha256: string; size: number } | undefined,
): Json {
  const byKey = new Map(rows.map((r) => [r.stepKey, r]));
  return {
    recipe: { slug: settings.recipe.slug, version: settings.recipe.version },
    steps: graph.steps.map((s) => {
      const row = byKey.get(s.key);
      const files: Record<string, Json> = {};
      for (const [name, f] of Object.entries(outputs.get(s.key)?.files ?? {})) {
        files[name] = { sha256: f.sha256, size: f.size, type: f.type };
      }
      return {
        key: s.key,
        kind: s.kind,
        inputHash: row?.inputHash ?? null,
        reused: Boolean(row?.reusedFrom),
        files,
      };
    }),
    output: delivered ?? null,
  };
}

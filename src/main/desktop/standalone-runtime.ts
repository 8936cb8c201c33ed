/**
 * A stand-in DesktopRuntime until the integrator embeds the farm node: this Mac's engine only (the job
 * history, retry, cancel, playback, provider readiness), wired exactly as the app must wire the real
 * one — keys from the encrypted store, encodes in the utility-process runner. Calls it cannot serve
 * answer `unavailable` as values. Replace `createStandaloneRuntime` in src/main/electron/index.ts.
 */
import { basename, isAbsolute, join } from 'node:path';
import type {
  CallError,
  CallResult,
  JobDetail,
  JobSummary,
  Method,
  ResultOf,
  VfoEvent,
} from '../../shared/contract.ts';
import { openDatabase } from '../db/open.ts';
import { BlobStore } from '../engine/blob-store.ts';
import { Engine } from '../engine/engine.ts';
import type { JobRow, JobStore } from '../engine/job-store.ts';
import { builtinHandlers, createDefaultServices } from '../pipeline/index.ts';
import { providerReadiness } from '../secrets/secret-store.ts';
import type { DesktopRuntime, DesktopRuntimeOptions, VfoService } from './service.ts';
import type { TrayTask } from './tray-model.ts';

const ENCODE_KIND = 'render.encode';

function ok<M extends Method>(value: ResultOf<M>): CallResult<M> {
  return { ok: true, value };
}

function fail(code: string, message: string): { ok: false; error: CallError } {
  return { ok: false, error: { code, message } };
}

export function jobTitle(job: Pick<JobRow, 'input'>): string {
  const input = job.input as { kind?: string; title?: string; scriptPath?: string } | null;
  if (input?.kind === 'brief' && input.title) return input.title;
  if (input?.scriptPath) return basename(input.scriptPath).replace(/\.(md|markdown|txt)$/i, '');
  return 'Untitled video';
}

export function summarizeJob(store: JobStore, job: JobRow): JobSummary {
  return {
    id: job.id,
    title: jobTitle(job),
    status: job.status,
    recipe: { slug: job.recipeSlug, version: job.recipeVersion },
    output: job.outputPath,
    error: job.error,
    warnings: job.warnings,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    steps: store.steps(job.id).map((s) => ({
      key: s.stepKey,
      kind: s.kind,
      status: s.status,
      reused: Boolean(s.reusedFrom),
      attempts: s.attempts,
      progress: s.progress,
      error: s.lastError,
      errorKind: s.errorKind,
      startedAt: s.startedAt,
      completedAt: s.completedAt,
    })),
  };
}

function detailOf(store: JobStore, job: JobRow): JobDetail {
  const steps = store.steps(job.id);
  return {
    ...summarizeJob(store, job),
    artifacts: store.jobArtifacts(job.id).map((a) => ({
      id: a.id,
      step: a.stepKey,
      name: a.name,
      type: a.type,
      sha256: a.sha256,
      size: a.size,
    })),
    logs: Object.fromEntries(steps.map((s) => [s.stepKey, s.logs ?? ''])),
  };
}

export async function createStandaloneRuntime(options: DesktopRuntimeOptions): Promise<DesktopRuntime> {
  const database = openDatabase(options.dataDir, { migrationsDir: join(options.resourcesDir, 'migrations') });
  const blobs = new BlobStore(options.dataDir);
  const services = createDefaultServices({
    db: database.db,
    dataDir: options.dataDir,
    resourcesDir: options.resourcesDir,
    blobs,
    secrets: options.secrets,
    encodeRunnerPath: options.encodeRunnerPath,
    startEncodeRunner: options.startEncodeRunner,
  });
  const engine = new Engine({
    dataDir: options.dataDir,
    database,
    blobs,
    handlers: builtinHandlers(services, database.db),
  });
  await engine.repair();
  const { store } = engine;
  const running = new Map<string, Promise<unknown>>();
  const encodes = new Map<string, TrayTask>();
  let paused = false;

  const start = (jobId: string) => {
    if (running.has(jobId)) return;
    const run = engine
      .run(jobId)
      .catch(() => {})
      .finally(() => running.delete(jobId));
    running.set(jobId, run);
  };

  // Encodes running here, for the menu-bar item: keyed by job and step.
  engine.subscribe((event) => {
    if (event.type !== 'step' && event.type !== 'progress') return;
    const key = `${event.jobId}/${event.stepKey}`;
    if (event.type === 'progress') {
      const task = encodes.get(key);
      if (task) task.percent = event.fraction * 100;
      return;
    }
    if (event.status !== 'running') {
      encodes.delete(key);
      return;
    }
    const step = store.steps(event.jobId).find((s) => s.stepKey === event.stepKey);
    const job = store.getJob(event.jobId);
    if (step?.kind === ENCODE_KIND && job) encodes.set(key, { title: jobTitle(job), percent: 0 });
  });

  const unavailable = (method: string) =>
    fail('unavailable', `${method} is not available until the app embeds the farm node`);

  const withJob = <T>(
    id: string,
    use: (job: JobRow) => T,
  ): { ok: true; value: T } | { ok: false; error: CallError } => {
    const job = store.findJob(id);
    if (!job) return fail('not-found', `no job ${id}`);
    try {
      return { ok: true, value: use(job) };
    } catch (error) {
      return fail('invalid', error instanceof Error ? error.message : String(error));
    }
  };

  const service: VfoService = {
    'jobs.list': async ({ limit }) =>
      ok<'jobs.list'>(
        store.listJobs(Math.min(Math.max(limit ?? 50, 1), 500)).map((j) => summarizeJob(store, j)),
      ),
    'jobs.get': async ({ id }) => withJob(id, (job) => detailOf(store, job)),
    'jobs.retry': async ({ id, fromStep }) =>
      withJob(id, (job) => {
        const retried = engine.retry(job.id, fromStep);
        start(retried.id);
        return summarizeJob(store, retried);
      }),
    'jobs.cancel': async ({ id }) =>
      withJob(id, (job) => {
        engine.cancel(job.id);
        return summarizeJob(store, store.getJob(job.id) ?? job);
      }),
    'scripts.check': async () => unavailable('scripts.check'),
    'scripts.import': async () => unavailable('scripts.import'),
    'farm.status': async () => unavailable('farm.status'),
    'farm.setPaused': async ({ paused: next }) => {
      paused = next;
      return ok<'farm.setPaused'>({ paused });
    },
    'library.recipes': async () => unavailable('library.recipes'),
    'library.presets': async () => unavailable('library.presets'),
    'library.prompts': async () => unavailable('library.prompts'),
    'settings.providers': async () => ok<'settings.providers'>(providerReadiness(options.secrets)),
  };

  return {
    service,
    subscribe: (listener: (event: VfoEvent) => void) => engine.subscribe(listener),
    trayState: () => ({
      role: 'solo',
      running: [...encodes.values()].map((t) => ({ ...t })),
      queued: store.listJobs(500).filter((j) => j.status === 'queued').length,
      paused,
    }),
    async videoPathOf(jobId) {
      const job = store.getJob(jobId);
      if (job?.status !== 'done' || !job.outputPath || !isAbsolute(job.outputPath)) return null;
      return job.outputPath;
    },
    async close() {
      for (const id of running.keys()) engine.cancel(id);
      await Promise.allSettled(running.values());
      database.close();
    },
  };
}

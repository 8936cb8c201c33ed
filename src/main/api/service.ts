import type { FarmHistory, FarmStatus, ImportOutcome } from '../../shared/contract.ts';
import type { Db } from '../db/open.ts';
import type { Engine } from '../engine/engine.ts';
import { type MediaBlobs, wantedMedia } from '../intake/media-upload.ts';
import type { IntakeServices } from '../intake/prepare-script.ts';
import { checkOnly, checkUpload } from '../intake/script-upload.ts';
import { createLogger } from '../log/logger.ts';
import { envSecretStore, providerReadiness, type SecretStore } from '../secrets/secret-store.ts';
import { CallFailure } from './call-failure.ts';
import { createDispatch, type Handlers, serviceOf, type VfoService } from './dispatch.ts';
import { libraryHandlers } from './library-handlers.ts';
import { settingsHandlers } from './settings-handlers.ts';
import { jobDetailOf, jobSummaryOf } from './views.ts';

const log = createLogger('VfoService');
/** The dashboard shows the last few hours unless asked for more. */
const DEFAULT_HISTORY_HOURS = 6;

export type { VfoService };

/** What the contract's handlers are given (by src/main/app): the engine, the Library, this node. */
export interface ServiceDeps {
  engine: Pick<Engine, 'store' | 'retry' | 'cancel' | 'createJob' | 'subscribe' | 'stepKinds'>;
  db: Db;
  dataDir: string;
  /** Starts a job (queued, retried) without waiting for it. */
  runInBackground(jobId: string): void;
  /** The farm this node is part of; its calls fail with a CallFailure when the farm refuses them. */
  farm: {
    status(): Promise<FarmStatus>;
    setPaused(paused: boolean): { paused: boolean };
    controlNode(
      node: string,
      action: 'pause' | 'resume' | 'drain',
    ): Promise<{ node: string; paused: boolean; draining: boolean }>;
    taskAction(task: string, action: 'requeue' | 'cancel'): Promise<string>;
    clearBlock(originNodeId: string, jobId: string, workerId?: string): Promise<number>;
    /** The job's farm tasks take its new priority (here and at the coordinator). */
    setJobPriority(jobId: string, priority: number): Promise<void>;
    /** Where the farm's queue is kept in this run. */
    queueBackend?: 'lan' | 'redis';
    /** What the coordinator recorded since `since` (ms since the epoch). */
    history(since: number): Promise<FarmHistory>;
  };
  /** The video preset for scripts imported over the network (`vfo node --video-preset`). */
  defaultVideoPreset?: string | undefined;
  secrets?: SecretStore;
  /** Where media sent with scripts are kept (the blob store). */
  blobs?: MediaBlobs;
  /** What checking a script's `[voice X]` needs. */
  services: IntakeServices;
}

export function createVfoService(deps: ServiceDeps): VfoService {
  const { engine } = deps;
  const store = engine.store;
  const intake = {
    db: deps.db,
    dataDir: deps.dataDir,
    services: deps.services,
    ...(deps.blobs ? { blobs: deps.blobs } : {}),
  };
  const secrets = deps.secrets ?? envSecretStore();
  const jobOrFail = (id: string) => {
    const job = store.findJob(id);
    if (!job) throw new CallFailure('not-found', `no job ${id}`);
    return job;
  };
  const handlers: Handlers = {
    'jobs.list': ({ limit }) => store.listJobs(limit ?? 100).map((j) => jobSummaryOf(store, j)),
    'jobs.get': ({ id }) => jobDetailOf(store, jobOrFail(id)),
    'jobs.retry': ({ id, fromStep }) => {
      const job = jobOrFail(id);
      const keys = store.steps(job.id).map((s) => s.stepKey);
      if (fromStep && !keys.includes(fromStep))
        throw new CallFailure('invalid', `job has no step "${fromStep}"`);
      engine.retry(job.id, fromStep);
      deps.runInBackground(job.id);
      return jobSummaryOf(store, store.getJob(job.id) ?? job);
    },
    'jobs.cancel': ({ id }) => {
      const job = jobOrFail(id);
      engine.cancel(job.id);
      return jobSummaryOf(store, store.getJob(job.id) ?? job);
    },
    // Only while it waits or runs: a finished job has nothing left to order.
    'jobs.setPriority': async ({ id, priority }) => {
      const job = jobOrFail(id);
      if (job.status !== 'queued' && job.status !== 'running')
        throw new CallFailure(
          'invalid',
          `job ${job.id.slice(0, 8)} is ${job.status}: its priority no longer matters`,
        );
      store.setPriority(job.id, priority);
      await deps.farm.setJobPriority(job.id, priority);
      return jobSummaryOf(store, store.getJob(job.id) ?? job);
    },
    'scripts.check': async ({ script, files }) =>
      checkOnly(intake, script, {}, files ? { sending: files } : {}),
    'media.wanted': async ({ sha256s }) => ({
      wanted: deps.blobs ? await wantedMedia(deps.blobs, sha256s) : sha256s,
    }),
    'scripts.import': async ({ scripts, recipe, videoPreset }) => {
      const outcomes: ImportOutcome[] = [];
      for (const script of scripts) {
        const { check, prepared } = await checkUpload(intake, script, {
          recipe,
          videoPreset: videoPreset ?? deps.defaultVideoPreset,
        });
        if (!prepared.ok) {
          outcomes.push({ name: script.name, queued: false, check });
          continue;
        }
        const { job } = engine.createJob(prepared.request);
        deps.runInBackground(job.id);
        outcomes.push({ name: script.name, queued: true, jobId: job.id, check });
      }
      return outcomes;
    },
    'farm.status': () => deps.farm.status(),
    'farm.setPaused': ({ paused }) => deps.farm.setPaused(paused),
    'farm.history': async ({ hours }) => {
      const since = Date.now() - (hours ?? DEFAULT_HISTORY_HOURS) * 3_600_000;
      try {
        return await deps.farm.history(since);
      } catch (error) {
        // The history is the coordinator's: while it cannot be reached there is none to show.
        log.info('the farm history could not be read', { error: String(error) });
        throw new CallFailure(
          'unavailable',
          'the coordinator cannot be asked for the farm’s history right now',
        );
      }
    },
    'farm.control': ({ node, action }) => deps.farm.controlNode(node, action),
    'farm.task': async ({ task, action }) => ({ task, result: await deps.farm.taskAction(task, action) }),
    'farm.clearBlock': async ({ originNodeId, jobId, workerId }) => ({
      cleared: await deps.farm.clearBlock(originNodeId, jobId, workerId),
    }),
    ...libraryHandlers(deps.db, engine.stepKinds()),
    ...settingsHandlers({
      db: deps.db,
      dataDir: deps.dataDir,
      providers: () => providerReadiness(secrets, process.env.AZURE_SPEECH_HOST),
      secrets,
      farmQueueNow: () => deps.farm.queueBackend ?? 'lan',
    }),
  };
  return serviceOf(createDispatch(handlers, log));
}

import type { ArgsOf, CallResult, FarmStatus, ImportOutcome, Method } from '../../shared/contract.ts';
import type { CliContext } from '../cli/context.ts';
import type { FarmNode } from '../farm/node/farm-node.ts';
import { createLogger } from '../log/logger.ts';
import { envSecretStore, providerReadiness, type SecretStore } from '../secrets/secret-store.ts';
import { CallFailure, type HandlerMap, wrapHandlers } from './call-failure.ts';
import { libraryHandlers } from './library-handlers.ts';
import { checkUpload } from './script-check.ts';
import { settingsHandlers } from './settings-handlers.ts';
import { jobDetailOf, jobSummaryOf } from './views.ts';

const log = createLogger('VfoService');

/** The contract's handlers, one implementation for Electron IPC and HTTP alike. */
export type VfoService = { [M in Method]: (args: ArgsOf<M>) => Promise<CallResult<M>> };

export function createVfoService(deps: {
  ctx: CliContext;
  node: FarmNode;
  secrets?: SecretStore;
}): VfoService {
  const { ctx, node } = deps;
  const store = ctx.engine.store;
  const secrets = deps.secrets ?? envSecretStore();
  const jobOrFail = (id: string) => {
    const job = store.findJob(id);
    if (!job) throw new CallFailure('not-found', `no job ${id}`);
    return job;
  };
  const handlers: HandlerMap<Method> = {
    'jobs.list': ({ limit }) =>
      store.listJobs(Math.min(Math.max(limit ?? 100, 1), 500)).map((j) => jobSummaryOf(store, j)),
    'jobs.get': ({ id }) => jobDetailOf(store, jobOrFail(id)),
    'jobs.retry': ({ id, fromStep }) => {
      const job = jobOrFail(id);
      const keys = store.steps(job.id).map((s) => s.stepKey);
      if (fromStep && !keys.includes(fromStep))
        throw new CallFailure('invalid', `job has no step "${fromStep}"`);
      ctx.engine.retry(job.id, fromStep);
      node.runInBackground(job.id);
      return jobSummaryOf(store, store.getJob(job.id) ?? job);
    },
    'jobs.cancel': ({ id }) => {
      const job = jobOrFail(id);
      ctx.engine.cancel(job.id);
      return jobSummaryOf(store, store.getJob(job.id) ?? job);
    },
    'scripts.check': async ({ script }) => (await checkUpload(ctx, script)).check,
    'scripts.import': async ({ scripts, recipe, videoPreset }) => {
      const outcomes: ImportOutcome[] = [];
      for (const script of scripts.slice(0, 200)) {
        const { check, prepared } = await checkUpload(ctx, script, {
          recipe,
          videoPreset: videoPreset ?? node.defaultVideoPreset,
        });
        if (!prepared.ok) {
          outcomes.push({ name: script.name, queued: false, check });
          continue;
        }
        const { job } = ctx.engine.createJob(prepared.request);
        node.runInBackground(job.id);
        outcomes.push({ name: script.name, queued: true, jobId: job.id, check });
      }
      return outcomes;
    },
    'farm.status': async () => (await node.status()) as FarmStatus,
    'farm.setPaused': ({ paused }) => ({ paused: node.setWorkerMode(paused ? 'pause' : 'resume').paused }),
    ...libraryHandlers(ctx.database.db),
    ...settingsHandlers({
      db: ctx.database.db,
      dataDir: ctx.dataDir,
      providers: () => providerReadiness(secrets, process.env.AZURE_SPEECH_HOST),
      secrets,
    }),
  };
  return wrapHandlers(handlers, log);
}

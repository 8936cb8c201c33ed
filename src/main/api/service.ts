import type { FarmStatus, ImportOutcome } from '../../shared/contract.ts';
import type { CliContext } from '../cli/context.ts';
import type { FarmNode } from '../farm/node/farm-node.ts';
import { createLogger } from '../log/logger.ts';
import { envSecretStore, providerReadiness, type SecretStore } from '../secrets/secret-store.ts';
import { CallFailure } from './call-failure.ts';
import { createDispatch, type Handlers, serviceOf, type VfoService } from './dispatch.ts';
import { libraryHandlers } from './library-handlers.ts';
import { checkUpload } from './script-check.ts';
import { settingsHandlers } from './settings-handlers.ts';
import { jobDetailOf, jobSummaryOf } from './views.ts';

const log = createLogger('VfoService');

export type { VfoService };

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
  const handlers: Handlers = {
    'jobs.list': ({ limit }) => store.listJobs(limit ?? 100).map((j) => jobSummaryOf(store, j)),
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
      for (const script of scripts) {
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
  return serviceOf(createDispatch(handlers, log));
}

import type {
  ArgsOf,
  CallResult,
  FarmStatus,
  ImportOutcome,
  Method,
  ResultOf,
} from '../../shared/contract.ts';
import type { CliContext } from '../cli/context.ts';
import type { FarmNode } from '../farm/node/farm-node.ts';
import { listPrompts, listRecipes, listVideoPresets, listVoicePresets } from '../library/index.ts';
import { createLogger } from '../log/logger.ts';
import { envSecretStore, providerReadiness, type SecretStore } from '../secrets/secret-store.ts';
import { checkUpload } from './script-check.ts';
import { jobDetailOf, jobSummaryOf } from './views.ts';

const log = createLogger('VfoService');

/** The contract's handlers, one implementation for Electron IPC and HTTP alike. */
export type VfoService = { [M in Method]: (args: ArgsOf<M>) => Promise<CallResult<M>> };

class CallFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export function createVfoService(deps: {
  ctx: CliContext;
  node: FarmNode;
  secrets?: SecretStore;
}): VfoService {
  const { ctx, node } = deps;
  const store = ctx.engine.store;
  const jobOrFail = (id: string) => {
    const job = store.findJob(id);
    if (!job) throw new CallFailure('not-found', `no job ${id}`);
    return job;
  };
  const handlers: { [M in Method]: (args: ArgsOf<M>) => ResultOf<M> | Promise<ResultOf<M>> } = {
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
    'library.recipes': () =>
      listRecipes(ctx.database.db).map((r) => ({
        slug: r.slug,
        name: (r.active ?? r.latest).name,
        description: (r.active ?? r.latest).description,
        activeVersion: r.active?.version ?? null,
        latestVersion: r.latest.version,
      })),
    'library.presets': () => [
      ...listVoicePresets(ctx.database.db).map((p) => ({
        slug: p.slug,
        name: p.name,
        kind: 'voice' as const,
        summary: `${p.provider} · ${Object.values(p.voiceNames).join(', ')} · ${p.language}`,
      })),
      ...listVideoPresets(ctx.database.db).map((p) => ({
        slug: p.slug,
        name: p.name,
        kind: 'video' as const,
        summary: `${p.width}x${p.height}@${p.fps} · ${p.encoders.join(' → ')}`,
      })),
    ],
    'library.prompts': () =>
      listPrompts(ctx.database.db).map((p) => {
        const shown = p.active ?? p.latest;
        return {
          slug: p.slug,
          activeVersion: p.active?.version ?? null,
          latestVersion: p.latest.version,
          model: shown.model,
          maxTokens: shown.maxTokens,
          temperature: shown.temperature,
        };
      }),
    'settings.providers': () =>
      providerReadiness(deps.secrets ?? envSecretStore(), process.env.AZURE_SPEECH_HOST),
  };
  const service = {} as Record<Method, (args: unknown) => Promise<unknown>>;
  for (const method of Object.keys(handlers) as Method[]) {
    const handler = handlers[method] as (args: unknown) => unknown;
    service[method] = async (args) => {
      try {
        return { ok: true, value: await handler(args ?? {}) };
      } catch (error) {
        if (error instanceof CallFailure)
          return { ok: false, error: { code: error.code, message: error.message } };
        log.error('call failed', { method, error: String(error) });
        return {
          ok: false,
          error: { code: 'internal', message: (error as Error).message ?? 'internal error' },
        };
      }
    };
  }
  return service as VfoService;
}

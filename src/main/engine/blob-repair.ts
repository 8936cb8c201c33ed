/**
 * Recreates a blob of the store that no longer matches its checksum (bit rot, a stray write) by
 * running again the step that made it, with the inputs it had, out of band: the job's records are
 * not touched. Steps are deterministic for the same input hash, so the same bytes come back and
 * nothing downstream needs to change. An input that went bad too is repaired first. A step that
 * makes other bytes this time (a source file changed since, a newer tool) cannot restore the blob:
 * the outcome says which job to re-run from which step, which remakes it and what depends on it.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LimitFunction } from 'p-limit';
import type { Logger } from '../log/logger.ts';
import type { BlobStore } from './blob-store.ts';
import { errorMessage } from './errors.ts';
import { compilePipeline } from './graph.ts';
import { fingerprintOf } from './input-hash.ts';
import type { JobSettings } from './job-settings.ts';
import type { JobStore } from './job-store.ts';
import type { HandlerRegistry, StepContext, StepHandler, StepOutput } from './step-handler.ts';

export interface BlobRepairDeps {
  store: JobStore;
  blobs: BlobStore;
  handlers: HandlerRegistry;
  /** Scratch folders of the re-runs go under it (each removed afterwards). */
  workRoot: string;
  log: Logger;
  /** The engine's limiter for the resource the step uses: a repair waits its turn like any step. */
  slotsFor: (handler: StepHandler) => LimitFunction;
  signal?: AbortSignal;
}

export type BlobRepairOutcome =
  /** `by` is the step that made it again; null when the stored blob was found good after all. */
  { ok: true; by: { jobId: string; stepKey: string } | null } | { ok: false; reason: string };

/** Producing steps tried before giving up (the newest first: the likeliest to make the same bytes). */
const MAX_PRODUCERS = 3;
/** How far up the graph bad inputs are repaired in turn. */
const MAX_DEPTH = 4;

export async function repairBlob(
  deps: BlobRepairDeps,
  sha256: string,
  depth = 0,
): Promise<BlobRepairOutcome> {
  if (await deps.blobs.recheck(sha256)) return { ok: true, by: null };
  const producers = deps.store.producersOf(sha256).slice(0, MAX_PRODUCERS);
  if (producers.length === 0) {
    return { ok: false, reason: `no step of any job made blob ${sha256}, so nothing can make it again` };
  }
  const reasons: string[] = [];
  for (const producer of producers) {
    const outcome = await rerunStep(deps, sha256, producer, depth);
    if (outcome.ok) return outcome;
    reasons.push(outcome.reason);
  }
  return { ok: false, reason: reasons.join('; ') };
}

async function rerunStep(
  deps: BlobRepairDeps,
  sha256: string,
  producer: { jobId: string; stepKey: string },
  depth: number,
): Promise<BlobRepairOutcome> {
  const { jobId, stepKey } = producer;
  const which = `step "${stepKey}" of job ${jobId}`;
  const log = deps.log.child({ job: jobId, step: stepKey, blob: sha256 });
  // Not inside the job's own folder: the job is usually done, and gc removes a done job's folder (it
  // would have removed the step's files mid-run). A name of its own gets gc's hour of grace.
  const workDir = join(deps.workRoot, `.repair-${jobId.slice(0, 8)}-${stepKey}-${randomUUID()}`);
  try {
    const job = deps.store.getJob(jobId);
    if (!job) return { ok: false, reason: `${which} is gone` };
    const settings = job.snapshot as unknown as JobSettings;
    const graph = compilePipeline(settings.recipe.pipeline, deps.handlers);
    const step = graph.steps.find((s) => s.key === stepKey);
    const handler = step && deps.handlers.get(step.kind);
    if (!step || !handler) return { ok: false, reason: `${which} is no longer in its recipe` };

    const rows = deps.store.steps(jobId);
    const inputs: Record<string, StepOutput> = {};
    for (const dependency of step.dependsOn) {
      const row = rows.find((r) => r.stepKey === dependency);
      const output = row?.status === 'done' ? deps.store.outputOf(row) : undefined;
      if (!output) return { ok: false, reason: `${which} cannot run again: "${dependency}" has no result` };
      for (const [name, file] of Object.entries(output.files)) {
        if (await deps.blobs.recheck(file.sha256)) continue;
        const input = depth < MAX_DEPTH ? await repairBlob(deps, file.sha256, depth + 1) : null;
        if (!input?.ok) {
          const why = input ? input.reason : 'the damage reaches too far up';
          return {
            ok: false,
            reason: `${which} cannot run again: its input ${dependency}/${name} is damaged (${why})`,
          };
        }
      }
      inputs[dependency] = output;
    }

    await mkdir(workDir, { recursive: true });
    log.info('running the step again to recreate a damaged blob');
    const hashCtx = { jobId, settings, step, inputs };
    const ctx: StepContext = {
      ...hashCtx,
      fingerprint: await fingerprintOf(handler, hashCtx),
      workDir,
      // A repair runs once, in its own folder: nothing to keep for another attempt.
      keptDir: join(workDir, 'kept'),
      signal: deps.signal ?? new AbortController().signal,
      log,
      progress: () => undefined,
      // The job already carries the warnings of its own run; a repair's are only logged.
      warn: (message) => log.warn('warning while repairing', { message }),
    };
    const result = await deps.slotsFor(handler)(() => handler.run(ctx));
    for (const file of Object.values(result.files ?? {})) {
      if (await deps.blobs.restore(file.path, sha256)) return { ok: true, by: producer };
    }
    return {
      ok: false,
      reason:
        `${which} made different content when run again (a file it reads, or a tool, changed since); ` +
        `"vfo jobs retry ${jobId} --from ${stepKey}" makes it anew with everything that depends on it`,
    };
  } catch (error) {
    return { ok: false, reason: `running ${which} again failed: ${errorMessage(error)}` };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

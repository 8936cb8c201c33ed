import { hashJson } from '../util/hash.ts';
import type { HashContext, StepHandler } from './step-handler.ts';

/** Bumped when the engine changes how steps are hashed or stored, so old results are not reused. */
export const ENGINE_HASH_VERSION = 1;

/**
 * The identity of a step's work: its kind, the versions of the code and adapters that run it, the
 * settings it reads, the external files it reads, and the checksums and data of its inputs.
 */
export async function computeInputHash(
  handler: StepHandler,
  ctx: HashContext,
  fingerprint?: unknown,
): Promise<string> {
  const inputs: Record<string, unknown> = {};
  for (const [key, output] of Object.entries(ctx.inputs)) {
    const files: Record<string, string> = {};
    for (const [name, file] of Object.entries(output.files)) files[name] = file.sha256;
    inputs[key] = { files, data: output.data };
  }
  return hashJson({
    engine: ENGINE_HASH_VERSION,
    kind: handler.kind,
    version: await handler.version(ctx),
    config: handler.config(ctx),
    with: ctx.step.with ?? null,
    fingerprint: fingerprint === undefined ? await fingerprintOf(handler, ctx) : fingerprint,
    inputs,
  });
}

/** What a step's fingerprint reads now (null: it reads no file outside the pipeline). */
export async function fingerprintOf(handler: StepHandler, ctx: HashContext): Promise<unknown> {
  return handler.fingerprint ? await handler.fingerprint(ctx) : null;
}

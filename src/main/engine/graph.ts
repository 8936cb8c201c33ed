import type { Pipeline, PipelineStep } from '../db/schema.ts';
import type { StepHandler } from './step-handler.ts';

/** A recipe's pipeline compiled into a checked graph of dependent tasks. */
export interface TaskGraph {
  /** Steps in a topological order (dependencies first); the order is the step_order column. */
  steps: PipelineStep[];
  dependents: Map<string, string[]>;
}

export class PipelineError extends Error {
  override name = 'PipelineError';
}

/** What a job says of a recipe this build cannot run. */
export function recipeProblemText(recipe: { slug: string; version: number }, error: PipelineError): string {
  return `recipe "${recipe.slug}" version ${recipe.version}: ${error.message}; fix it in the Library`;
}

const STEP_KEY = /^[a-z][a-z0-9-]{0,39}$/;

/** The step that makes the video a job delivers (pipeline/encode-step.ts). */
export const VIDEO_STEP_KIND = 'render.encode';

/** The step kinds a build can run, with what each reads (the handler registry is one). */
export type KnownKinds = ReadonlyMap<string, Pick<StepHandler, 'needs' | 'reads' | 'options'>>;

/**
 * Checks keys, dependencies and acyclicity, and orders the steps. `knownKinds` rejects a recipe that
 * names a step kind this build cannot run — before any job is created from it —, a step not made to
 * depend on the steps it reads (its `needs`), and, where this build makes videos, a recipe that would
 * make none: such a job ended "done" with no video and `vfo render` printed an empty line.
 */
export function compilePipeline(pipeline: Pipeline, knownKinds: KnownKinds): TaskGraph {
  if (!pipeline || !Array.isArray(pipeline.steps) || pipeline.steps.length === 0) {
    throw new PipelineError('pipeline has no steps');
  }
  const byKey = new Map<string, PipelineStep>();
  for (const step of pipeline.steps) {
    if (!STEP_KEY.test(step.key)) throw new PipelineError(`invalid step key "${step.key}"`);
    if (byKey.has(step.key)) throw new PipelineError(`duplicate step key "${step.key}"`);
    if (!knownKinds.has(step.kind))
      throw new PipelineError(`step "${step.key}" has unknown kind "${step.kind}"`);
    byKey.set(step.key, step);
  }
  const videos = pipeline.steps.filter((s) => s.kind === VIDEO_STEP_KIND).length;
  if (knownKinds.has(VIDEO_STEP_KIND) && videos === 0)
    throw new PipelineError(`pipeline makes no video: it needs a step of kind "${VIDEO_STEP_KIND}"`);
  // Both encoded the one video, twice the cost, the last to end delivering it.
  if (videos > 1)
    throw new PipelineError(`pipeline makes one video: it has ${videos} steps of kind "${VIDEO_STEP_KIND}"`);
  for (const step of pipeline.steps) {
    const options = knownKinds.get(step.kind)?.options?.safeParse(step.with ?? {});
    if (options && !options.success) {
      const [issue] = options.error.issues;
      const where = ['with', ...(issue?.path ?? [])].join('.');
      throw new PipelineError(`step "${step.key}" (${step.kind}): ${where}: ${issue?.message ?? 'invalid'}`);
    }
  }
  const dependents = new Map<string, string[]>([...byKey.keys()].map((k) => [k, []]));
  for (const step of pipeline.steps) {
    for (const dep of step.dependsOn) {
      if (!byKey.has(dep)) throw new PipelineError(`step "${step.key}" depends on unknown step "${dep}"`);
      if (dep === step.key) throw new PipelineError(`step "${step.key}" depends on itself`);
      dependents.get(dep)?.push(step.key);
    }
  }
  // Kahn's algorithm; ties keep the recipe's own order so step_order is stable and readable.
  const remaining = new Map(pipeline.steps.map((s) => [s.key, new Set(s.dependsOn)]));
  const ordered: PipelineStep[] = [];
  while (remaining.size > 0) {
    const ready = pipeline.steps.find((s) => remaining.get(s.key)?.size === 0);
    if (!ready)
      throw new PipelineError(`pipeline has a dependency cycle among: ${[...remaining.keys()].join(', ')}`);
    ordered.push(ready);
    remaining.delete(ready.key);
    for (const deps of remaining.values()) deps.delete(ready.key);
  }
  // Last: a graph wrong in two ways names its missing or circular dependency first.
  const kinds = new Set(pipeline.steps.map((s) => s.kind));
  for (const step of pipeline.steps) {
    const { needs = {}, reads = {} } = knownKinds.get(step.kind) ?? {};
    const read = Object.entries(reads).filter(([, kind]) => kinds.has(kind));
    for (const [key, kind] of [...Object.entries(needs), ...read]) {
      if (!step.dependsOn.includes(key) || byKey.get(key)?.kind !== kind)
        throw new PipelineError(
          `step "${step.key}" (${step.kind}) reads step "${key}": it must depend on a step "${key}" of kind "${kind}"`,
        );
    }
  }
  return { steps: ordered, dependents };
}

/** The step and every step that depends on it, directly or not. */
export function downstreamOf(graph: TaskGraph, key: string): Set<string> {
  const seen = new Set<string>();
  const visit = (k: string): void => {
    if (seen.has(k)) return;
    seen.add(k);
    for (const d of graph.dependents.get(k) ?? []) visit(d);
  };
  visit(key);
  return seen;
}

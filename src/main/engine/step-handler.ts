import { z } from 'zod';
import type { ProgressRate } from '../../shared/progress-rate.ts';
import type { Json, PipelineStep } from '../db/schema.ts';
import type { Logger } from '../log/logger.ts';
import type { JobSettings } from './job-settings.ts';

/** A file a finished step produced, as its dependents see it. */
export interface StepFile {
  artifactId: string;
  path: string;
  sha256: string;
  size: number;
  type: string;
}

/** What a finished step hands to the steps that depend on it. */
export interface StepOutput {
  files: Record<string, StepFile>;
  data: Json;
}

/** What the input hash of a step is computed from. */
export interface HashContext {
  jobId: string;
  settings: JobSettings;
  step: PipelineStep;
  inputs: Record<string, StepOutput>;
}

export interface StepContext extends HashContext {
  /**
   * What `fingerprint` read for this attempt's input hash (null without one). A step that reads those
   * files again checks they still are what was hashed: a script saved while it was parsed was stored
   * under the old one's hash, and every later render reused the old words.
   */
  fingerprint: unknown;
  /** A private scratch folder for this attempt; emptied by the engine afterwards. */
  workDir: string;
  /**
   * A folder of this step of this job that outlives its attempts, its retries and a crash: what a
   * failed attempt already paid for (an Azure chunk) is found there by the next. The engine removes it
   * once the step has succeeded.
   */
  keptDir: string;
  signal: AbortSignal;
  log: Logger;
  /** How far the step is (0..1), and for an encode how fast it goes and when it will be done. */
  progress(fraction: number, rate?: ProgressRate): void;
  /** A warning the user must see on the job (e.g. a fallback voice was used). */
  warn(message: string): void;
}

export interface ProducedFile {
  /** A finished file in workDir; the engine moves it into the blob store. */
  path: string;
  type: string;
  metadata?: Json;
}

export interface StepResult {
  files?: Record<string, ProducedFile>;
  data?: Json;
  /** Recorded on the step, outside the hashed output: e.g. the tokens a Claude call used. */
  metrics?: Json;
}

/**
 * One kind of pipeline step. The input hash of a step is sha256 over its kind, `version`, `config`,
 * `fingerprint` and the checksums + data of its inputs; an earlier successful run with the same hash
 * is reused instead of calling `run` again.
 */
export interface StepHandler {
  readonly kind: string;
  /**
   * The steps whose files this one reads, by key, with the kind each must be: the recipe must make it
   * depend on them. Checked when the recipe is compiled, before any job: a recipe that renamed a step
   * failed when the step ran, after the narration before it was paid for.
   */
  readonly needs?: StepNeeds;
  /**
   * The steps it reads when the recipe has them (the parse reads a written script): a recipe with a
   * step of such a kind must make this one depend on it, under that key. A write step keyed "author",
   * or depended on by nothing, was paid for, and its job then failed as having no script.
   */
  readonly reads?: StepNeeds;
  /**
   * The shape of the step's `with` (recipe data: a prompt's slug, a length), checked when the recipe
   * is compiled: `with.prompt: 42` ran with the default prompt, and a misspelled key did nothing.
   */
  readonly options?: z.ZodType;
  /** Versions of the adapters and code that shape the result (e.g. the espeak-ng or ffmpeg version). */
  version(ctx: HashContext): Promise<string> | string;
  /** The part of the job's settings this step reads; nothing else may influence `run`. */
  config(ctx: HashContext): unknown;
  /** Checksums of files outside the pipeline the step reads (the script, its images). */
  fingerprint?(ctx: HashContext): Promise<unknown>;
  run(ctx: StepContext): Promise<StepResult>;
  /** Attempts before giving up on a retryable failure (default from the engine). */
  maxAttempts?: number;
  /** Steps that share a scarce resource (the encoder) name it; the engine bounds each resource. */
  resource?: 'encoder';
}

/** The options of a step kind that takes none: a `with` on it is a mistake to say. */
export const NO_OPTIONS = z.strictObject({});

/** Step key → the kind that step must be. */
export type StepNeeds = Readonly<Record<string, string>>;

export type HandlerRegistry = ReadonlyMap<string, StepHandler>;

export function registryOf(handlers: StepHandler[]): HandlerRegistry {
  return new Map(handlers.map((h) => [h.kind, h]));
}

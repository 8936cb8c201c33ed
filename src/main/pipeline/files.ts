import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Json } from '../db/schema.ts';
import { StepError } from '../engine/errors.ts';
import type { StepContext, StepOutput } from '../engine/step-handler.ts';

/** Read a JSON file another step produced. */
export async function readInputJson<T>(
  inputs: Record<string, StepOutput>,
  step: string,
  file: string,
): Promise<T> {
  const ref = inputs[step]?.files[file];
  if (!ref)
    throw new StepError(
      'fatal',
      `missing input ${step}/${file}: the recipe must make this step depend on "${step}"`,
    );
  return JSON.parse(await readFile(ref.path, 'utf8')) as T;
}

export function inputFile(
  inputs: Record<string, StepOutput>,
  step: string,
  file: string,
): StepOutput['files'][string] {
  const ref = inputs[step]?.files[file];
  if (!ref)
    throw new StepError(
      'fatal',
      `missing input ${step}/${file}: the recipe must make this step depend on "${step}"`,
    );
  return ref;
}

/** Write a JSON result into the step's scratch folder; the engine moves it into the blob store. */
export async function writeWorkJson(ctx: StepContext, name: string, value: unknown): Promise<string> {
  const path = join(ctx.workDir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

export function asJson(value: unknown): Json {
  return value as Json;
}

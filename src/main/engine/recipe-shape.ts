/**
 * A recipe's shape, declared once for the Library, which checks it when a version is saved, and for
 * the engine, which checks the row again when a job reads it (settings-resolver.ts): the database is a
 * file anyone on the Mac may edit. Read unchecked, a step of 50 MB of settings was parsed twice a
 * second, a step that was null failed as "Cannot read properties of null", and recipe defaults of the
 * wrong shape failed the plan step three times after the narration was paid for.
 */
import { z } from 'zod';
import { MotionSchema } from '../../shared/render-plan.ts';
import { TitleCardSettingSchema } from '../../shared/title-card.ts';
import type { Pipeline } from '../db/schema.ts';
import { BUNDLED_BED_NAMES } from '../ffmpeg/music-beds.ts';
import { IMAGE_EXTENSIONS } from '../script/limits.ts';
import { compilePipeline, type KnownKinds, PipelineError } from './graph.ts';

/** A step's own settings are a few numbers and words: 50 MB of them were stored. */
const MAX_WITH_BYTES = 16 * 1024;
export const MAX_PIPELINE_STEPS = 100;
export const MAX_VISUALS = 100;

/**
 * `strict` for the Library's save (an unknown key is a mistake to say); a read (the engine) drops what
 * it does not know, as rows saved by older versions have it (`captions.fontSize`).
 */
function shape(strict: boolean) {
  return strict ? z.strictObject : z.object;
}

const stepSchema = (strict: boolean) =>
  shape(strict)({
    key: z.string(),
    kind: z.string().min(1, 'kind must not be empty'),
    dependsOn: z
      .array(z.string())
      .refine((keys) => new Set(keys).size === keys.length, 'dependsOn names a step twice'),
    with: z
      .record(z.string(), z.json())
      .refine(
        (value) => JSON.stringify(value).length <= MAX_WITH_BYTES,
        `with must be at most ${MAX_WITH_BYTES} bytes as JSON`,
      )
      .optional(),
  });

/**
 * Graph problems (keys, dependencies, cycles, a step not wired to the steps it reads) come from
 * compilePipeline itself, so a recipe that passes is one the engine can run. With `knownKinds` (the
 * Library, which knows the steps and what each reads), unknown kinds are reported per step first, then
 * the graph is compiled with those kinds allowed, so a recipe with both kinds of problem shows both;
 * without (the engine reads a row), any kind passes here and the job names an unknown one when it runs.
 */
function checkPipeline(pipeline: Pipeline, knownKinds: KnownKinds | null, ctx: z.RefinementCtx): void {
  // zod still runs this refinement after a failed min(1); "no steps" is already reported once.
  if (pipeline.steps.length === 0) return;
  pipeline.steps.forEach((step, i) => {
    if (knownKinds && !knownKinds.has(step.kind)) {
      const known = [...knownKinds.keys()].sort().join(', ');
      ctx.addIssue({
        code: 'custom',
        message: `step "${step.key}" has unknown kind "${step.kind}" (known: ${known})`,
        path: ['steps', i, 'kind'],
      });
    }
  });
  try {
    const anyKind = pipeline.steps.map((s) => [s.kind, {}] as const);
    compilePipeline(pipeline, new Map([...anyKind, ...(knownKinds ?? [])]));
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message, path: ['steps'] });
  }
}

/** `knownKinds` null: a read, loose (see shape) and any kind passing. */
export function pipelineSchema(knownKinds: KnownKinds | null) {
  const strict = knownKinds !== null;
  return shape(strict)({
    steps: z.array(stepSchema(strict)).min(1, 'a pipeline needs at least one step').max(MAX_PIPELINE_STEPS),
  }).superRefine((value, ctx) => checkPipeline(value as Pipeline, knownKinds, ctx));
}

const visualName = z
  .string()
  .regex(/^[^/\\\0]+$/, 'visuals are bare file names under resources/visuals')
  .refine(
    (name) => IMAGE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext)),
    `visuals must be images (${IMAGE_EXTENSIONS.join(', ')})`,
  );

/**
 * A recipe's defaults; `presetSlug` checks the presets they name (the Library: that each exists).
 * `strict`: the Library's save (see shape).
 */
export function recipeDefaultsSchema(
  presetSlug: (what: 'voice' | 'video') => z.ZodType<string>,
  { strict }: { strict: boolean },
) {
  const object = shape(strict);
  return object({
    voicePreset: presetSlug('voice'),
    videoPreset: presetSlug('video'),
    visuals: z.array(visualName).min(1, 'list at least one visual').max(MAX_VISUALS),
    motion: MotionSchema,
    captions: object({
      burnIn: z.boolean(),
      // Recipes made before caption styles had a size here: a save says where it went rather than
      // "unknown key"; a read of such a row (seeded before) ignores it.
      ...(strict
        ? {
            fontSize: z
              .never('caption size is now set by the caption style the video preset names (captionStyle)')
              .optional(),
          }
        : {}),
    }),
    /** A bundled bed under scripts that name no music; a recipe never names a file (see music-beds.ts). */
    music: object({
      bed: z.enum(BUNDLED_BED_NAMES, `bed must be one of the bundled beds: ${BUNDLED_BED_NAMES.join(', ')}`),
    })
      .nullable()
      .optional(),
    /** The title (and subtitle) over the video's opening, for scripts with a `title`; absent: no card. */
    titleCard: TitleCardSettingSchema.nullable().optional(),
  });
}

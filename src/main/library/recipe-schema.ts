import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { MotionSchema } from '../../shared/render-plan.ts';
import { TitleCardSettingSchema } from '../../shared/title-card.ts';
import type { Db } from '../db/open.ts';
import { type Pipeline, videoPresets, voicePresets } from '../db/schema.ts';
import { compilePipeline, PipelineError } from '../engine/graph.ts';
import { BUNDLED_BED_NAMES } from '../ffmpeg/music-beds.ts';
import { IMAGE_EXTENSIONS } from '../script/limits.ts';
import { LIBRARY_LIMITS, nameRule, slugRule } from './rules.ts';

const visualName = z
  .string()
  .regex(/^[^/\\\0]+$/, 'visuals are bare file names under resources/visuals')
  .refine(
    (name) => IMAGE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext)),
    `visuals must be images (${IMAGE_EXTENSIONS.join(', ')})`,
  );

/** A step's own settings are a few numbers and words: 50 MB of them were stored. */
const MAX_WITH_BYTES = 16 * 1024;

const StepSchema = z.strictObject({
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

/** A preset slug that must name an existing preset: a recipe never points at nothing. */
function presetSlug(db: Db, table: typeof voicePresets | typeof videoPresets, what: string) {
  return z.string().superRefine((slug, ctx) => {
    if (db.select({ id: table.id }).from(table).where(eq(table.slug, slug)).get()) return;
    ctx.addIssue({ code: 'custom', message: `unknown ${what} preset "${slug}"` });
  });
}

/**
 * Graph problems (keys, dependencies, cycles) come from compilePipeline itself, so a recipe that saves
 * is one the engine can run. Unknown kinds are reported per step first, then the graph is compiled
 * with those kinds allowed, so a recipe with both kinds of problem shows both.
 */
function checkPipeline(pipeline: Pipeline, knownKinds: ReadonlySet<string>, ctx: z.RefinementCtx): void {
  // zod still runs this refinement after a failed min(1); "no steps" is already reported once.
  if (pipeline.steps.length === 0) return;
  pipeline.steps.forEach((step, i) => {
    if (!knownKinds.has(step.kind)) {
      const known = [...knownKinds].sort().join(', ');
      ctx.addIssue({
        code: 'custom',
        message: `step "${step.key}" has unknown kind "${step.kind}" (known: ${known})`,
        path: ['steps', i, 'kind'],
      });
    }
  });
  try {
    compilePipeline(pipeline, new Set([...knownKinds, ...pipeline.steps.map((s) => s.kind)]));
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message, path: ['steps'] });
  }
}

/** The schema of a new recipe version; it reads the database to check the presets its defaults name. */
export function recipeVersionInputSchema(db: Db, knownStepKinds: ReadonlySet<string>) {
  const pipeline = z
    .strictObject({
      steps: z
        .array(StepSchema)
        .min(1, 'a pipeline needs at least one step')
        .max(LIBRARY_LIMITS.maxPipelineSteps),
    })
    .superRefine((value, ctx) => checkPipeline(value as Pipeline, knownStepKinds, ctx));
  const defaults = z.strictObject({
    voicePreset: presetSlug(db, voicePresets, 'voice'),
    videoPreset: presetSlug(db, videoPresets, 'video'),
    visuals: z.array(visualName).min(1, 'list at least one visual').max(LIBRARY_LIMITS.maxVisuals),
    motion: MotionSchema,
    captions: z.strictObject({
      burnIn: z.boolean(),
      // Recipes made before caption styles had a size here: say where it went rather than "unknown key".
      fontSize: z
        .never('caption size is now set by the caption style the video preset names (captionStyle)')
        .optional(),
    }),
    /** A bundled bed under scripts that name no music; a recipe never names a file (see music-beds.ts). */
    music: z
      .strictObject({
        bed: z.enum(
          BUNDLED_BED_NAMES,
          `bed must be one of the bundled beds: ${BUNDLED_BED_NAMES.join(', ')}`,
        ),
      })
      .nullable()
      .optional(),
    /** The title (and subtitle) over the video's opening, for scripts with a `title`; absent: no card. */
    titleCard: TitleCardSettingSchema.nullable().optional(),
  });
  return z.strictObject({
    slug: slugRule,
    name: nameRule,
    description: z.string().max(LIBRARY_LIMITS.maxDescriptionLength).default(''),
    pipeline,
    defaults,
    /** Default: activate only when the slug has no active version yet. */
    activate: z.boolean().optional(),
  });
}

export type RecipeVersionInput = z.input<ReturnType<typeof recipeVersionInputSchema>>;

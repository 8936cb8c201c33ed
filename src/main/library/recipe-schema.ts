import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { videoPresets, voicePresets } from '../db/schema.ts';
import type { KnownKinds } from '../engine/graph.ts';
import { pipelineSchema, recipeDefaultsSchema } from '../engine/recipe-shape.ts';
import { LIBRARY_LIMITS, nameRule, slugRule } from './rules.ts';

/** A preset slug that must name an existing preset: a recipe never points at nothing. */
function presetSlug(db: Db, table: typeof voicePresets | typeof videoPresets, what: string) {
  return z.string().superRefine((slug, ctx) => {
    if (db.select({ id: table.id }).from(table).where(eq(table.slug, slug)).get()) return;
    ctx.addIssue({ code: 'custom', message: `unknown ${what} preset "${slug}"` });
  });
}

/** The schema of a new recipe version; it reads the database to check the presets its defaults name. */
export function recipeVersionInputSchema(db: Db, knownStepKinds: KnownKinds) {
  const pipeline = pipelineSchema(knownStepKinds);
  const defaults = recipeDefaultsSchema(
    (what) => presetSlug(db, what === 'voice' ? voicePresets : videoPresets, what),
    { strict: true },
  );
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

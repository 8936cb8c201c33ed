import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, getTableColumns } from 'drizzle-orm';
import { z } from 'zod';
import { readingRow } from '../db/json-text.ts';
import type { Db } from '../db/open.ts';
import { type Pipeline, recipes } from '../db/schema.ts';
import type { KnownKinds } from '../engine/graph.ts';
import { pipelineSchema } from '../engine/recipe-shape.ts';
import { createLogger } from '../log/logger.ts';
import { notFound, parseOrThrow, slugOf } from './errors.ts';
import { type RecipeVersionInput, recipeVersionInputSchema } from './recipe-schema.ts';
import {
  hasActiveVersion,
  nextVersion,
  setActiveVersion,
  summarize,
  type VersionSummary,
} from './versions.ts';

const log = createLogger('RecipeLibrary');

export type RecipeRow = typeof recipes.$inferSelect;

/** A listing reads no JSON cell: one edited by hand would fail the whole list (and hide the others). */
const { pipeline: _pipeline, defaults: _defaults, ...LISTED } = getTableColumns(recipes);
export type RecipeListing = Omit<RecipeRow, 'pipeline' | 'defaults'>;

/** One entry per recipe slug: its newest version and the active one (what `vfo render` uses). */
export function listRecipes(db: Db): VersionSummary<RecipeListing>[] {
  return summarize(db.select(LISTED).from(recipes).orderBy(asc(recipes.slug), desc(recipes.version)).all());
}

/** Every version of one recipe, oldest first; empty for an unknown slug. */
export function listRecipeVersions(db: Db, slug: string): RecipeRow[] {
  return db.select().from(recipes).where(eq(recipes.slug, slug)).orderBy(asc(recipes.version)).all();
}

/** A given version of a recipe, or without `version` the active one. */
export function getRecipe(db: Db, slug: string, version?: number): RecipeRow {
  if (version !== undefined) {
    const row = readingRow(`recipe "${slug}" version ${version}`, () =>
      db
        .select()
        .from(recipes)
        .where(and(eq(recipes.slug, slug), eq(recipes.version, version)))
        .get(),
    );
    if (!row) throw notFound(`recipe "${slug}" has no version ${version}`);
    return row;
  }
  const active = readingRow(`recipe "${slug}"`, () =>
    db
      .select()
      .from(recipes)
      .where(and(eq(recipes.slug, slug), eq(recipes.isActive, true)))
      .get(),
  );
  if (active) return active;
  const any = db.select({ id: recipes.id }).from(recipes).where(eq(recipes.slug, slug)).get();
  throw notFound(any ? `recipe "${slug}" has no active version` : `unknown recipe "${slug}"`);
}

/**
 * Adds the next version of a recipe (creating it if the slug is new). `knownStepKinds` are the steps
 * this build can run (the engine's handlers, with the steps each reads): the pipeline is compiled
 * exactly as a job would compile it. Old versions are never modified: jobs record the version they ran with.
 */
export function createRecipeVersion(
  db: Db,
  input: RecipeVersionInput,
  knownStepKinds: KnownKinds,
): RecipeRow {
  const schema = recipeVersionInputSchema(db, knownStepKinds);
  const { activate, pipeline, ...fields } = parseOrThrow(schema, input, `recipe "${slugOf(input)}"`);
  const row = db.transaction(
    (tx) => {
      const version = nextVersion(tx, recipes, fields.slug);
      const makeActive = activate ?? !hasActiveVersion(tx, recipes, fields.slug);
      const id = randomUUID();
      tx.insert(recipes)
        .values({
          id,
          ...fields,
          // zod's JSON type and the schema's Json type describe the same values.
          pipeline: pipeline as Pipeline,
          version,
          isActive: false,
          createdAt: new Date().toISOString(),
        })
        .run();
      if (makeActive) setActiveVersion(tx, recipes, 'recipe', fields.slug, version);
      return tx.select().from(recipes).where(eq(recipes.id, id)).get() as RecipeRow;
    },
    // IMMEDIATE takes the write lock before reading max(version): two processes cannot pick the same number.
    { behavior: 'immediate' },
  );
  log.info('recipe version created', { slug: row.slug, version: row.version, active: row.isActive });
  return row;
}

/**
 * Makes `version` the one active version of the recipe: new jobs use it, existing jobs keep theirs.
 * A version this build cannot run (`knownStepKinds` as for createRecipeVersion; a row edited by hand)
 * is refused: activated, every new job of the recipe failed.
 */
export function activateRecipeVersion(
  db: Db,
  slug: string,
  version: number,
  knownStepKinds: KnownKinds,
): RecipeRow {
  const { pipeline } = getRecipe(db, slug, version);
  parseOrThrow(
    z.object({ pipeline: pipelineSchema(knownStepKinds) }),
    { pipeline },
    `recipe "${slug}" version ${version}`,
  );
  db.transaction((tx) => setActiveVersion(tx, recipes, 'recipe', slug, version), { behavior: 'immediate' });
  log.info('recipe version activated', { slug, version });
  return getRecipe(db, slug);
}

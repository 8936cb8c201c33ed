import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, getTableColumns } from 'drizzle-orm';
import { z } from 'zod';
import { readingRow } from '../db/json-text.ts';
import type { Db } from '../db/open.ts';
import { prompts } from '../db/schema.ts';
import { createLogger } from '../log/logger.ts';
import { notFound, parseOrThrow, slugOf } from './errors.ts';
import { LIBRARY_LIMITS, slugRule, templateRule, tierRule } from './rules.ts';
import {
  hasActiveVersion,
  nextVersion,
  setActiveVersion,
  summarize,
  type VersionSummary,
} from './versions.ts';

const log = createLogger('PromptRegistry');

export type PromptRow = typeof prompts.$inferSelect;

export const PromptVersionInputSchema = z.strictObject({
  slug: slugRule,
  /** May be empty: not every prompt needs a system prompt. */
  systemPrompt: templateRule(true),
  userTemplate: templateRule(false),
  model: z.string().trim().min(1, 'model must not be empty').max(200),
  maxTokens: z
    .number()
    .int('maxTokens must be a whole number')
    .min(1, 'maxTokens must be at least 1')
    .max(LIBRARY_LIMITS.maxTokens, `maxTokens must be at most ${LIBRARY_LIMITS.maxTokens}`),
  temperature: z
    .number()
    .min(0, 'temperature must be 0..1')
    .max(1, 'temperature must be 0..1')
    .nullable()
    .default(null),
  kbTiers: z
    .array(tierRule)
    .max(LIBRARY_LIMITS.maxKbTiers)
    .refine((tiers) => new Set(tiers).size === tiers.length, 'kbTiers lists a tier twice'),
  /** Default: activate only when the slug has no active version yet (a first version is usable at once). */
  activate: z.boolean().optional(),
});

export type PromptVersionInput = z.input<typeof PromptVersionInputSchema>;

/** The active version of a prompt: what every completion built from this slug uses. */
export function getPromptOrThrow(db: Db, slug: string): PromptRow {
  const active = readingRow(`prompt "${slug}"`, () =>
    db
      .select()
      .from(prompts)
      .where(and(eq(prompts.slug, slug), eq(prompts.isActive, true)))
      .get(),
  );
  if (active) return active;
  const any = db.select({ id: prompts.id }).from(prompts).where(eq(prompts.slug, slug)).get();
  throw notFound(any ? `prompt "${slug}" has no active version` : `unknown prompt "${slug}"`);
}

/** Every version of one prompt, oldest first; empty for an unknown slug. */
export function listPromptVersions(db: Db, slug: string): PromptRow[] {
  return db.select().from(prompts).where(eq(prompts.slug, slug)).orderBy(asc(prompts.version)).all();
}

/** A listing reads no JSON cell: one edited by hand would fail the whole list (and hide the others). */
const { kbTiers: _kbTiers, ...LISTED } = getTableColumns(prompts);
export type PromptListing = Omit<PromptRow, 'kbTiers'>;

/** One entry per prompt slug: its newest version and its active one. */
export function listPrompts(db: Db): VersionSummary<PromptListing>[] {
  return summarize(db.select(LISTED).from(prompts).orderBy(asc(prompts.slug), desc(prompts.version)).all());
}

/** One version of a prompt, whole; undefined for a version it does not have. */
export function getPromptVersion(db: Db, slug: string, version: number): PromptRow | undefined {
  return readingRow(`prompt "${slug}" version ${version}`, () =>
    db
      .select()
      .from(prompts)
      .where(and(eq(prompts.slug, slug), eq(prompts.version, version)))
      .get(),
  );
}

/**
 * Adds the next version of a prompt (creating the prompt if the slug is new). Old versions stay as
 * they were: a step's input hash names the version it ran with.
 */
export function createPromptVersion(db: Db, input: PromptVersionInput): PromptRow {
  const { activate, ...fields } = parseOrThrow(PromptVersionInputSchema, input, `prompt "${slugOf(input)}"`);
  // IMMEDIATE takes the write lock before reading max(version): two processes cannot pick the same number.
  const row = db.transaction(
    (tx) => {
      const version = nextVersion(tx, prompts, fields.slug);
      const makeActive = activate ?? !hasActiveVersion(tx, prompts, fields.slug);
      const id = randomUUID();
      tx.insert(prompts)
        .values({ id, ...fields, version, isActive: false, createdAt: new Date().toISOString() })
        .run();
      if (makeActive) setActiveVersion(tx, prompts, 'prompt', fields.slug, version);
      return tx.select().from(prompts).where(eq(prompts.id, id)).get() as PromptRow;
    },
    { behavior: 'immediate' },
  );
  log.info('prompt version created', { slug: row.slug, version: row.version, active: row.isActive });
  return row;
}

/** Makes `version` the one active version of the prompt (the others are deactivated atomically). */
export function activatePromptVersion(db: Db, slug: string, version: number): PromptRow {
  db.transaction((tx) => setActiveVersion(tx, prompts, 'prompt', slug, version), { behavior: 'immediate' });
  log.info('prompt version activated', { slug, version });
  return getPromptOrThrow(db, slug);
}

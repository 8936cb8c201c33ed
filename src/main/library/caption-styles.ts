import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { CaptionStyleSchema } from '../../shared/caption-styles.ts';
import type { Db } from '../db/open.ts';
import { captionStyles } from '../db/schema.ts';
import { createLogger } from '../log/logger.ts';
import { notFound, parseOrThrow, slugOf } from './errors.ts';
import {
  hasActiveVersion,
  nextVersion,
  setActiveVersion,
  summarize,
  type VersionSummary,
} from './versions.ts';

const log = createLogger('CaptionStyleLibrary');

export type CaptionStyleRow = typeof captionStyles.$inferSelect;

export const CaptionStyleVersionInputSchema = CaptionStyleSchema.extend({
  /** Default: activate only when the slug has no active version yet (a first version is usable at once). */
  activate: z.boolean().optional(),
});
export type CaptionStyleVersionInput = z.input<typeof CaptionStyleVersionInputSchema>;

/** One entry per caption style slug: its newest version and the active one (what new jobs use). */
export function listCaptionStyles(db: Db): VersionSummary<CaptionStyleRow>[] {
  return summarize(
    db.select().from(captionStyles).orderBy(asc(captionStyles.slug), desc(captionStyles.version)).all(),
  );
}

/** Every version of one caption style, oldest first; empty for an unknown slug. */
export function listCaptionStyleVersions(db: Db, slug: string): CaptionStyleRow[] {
  return db
    .select()
    .from(captionStyles)
    .where(eq(captionStyles.slug, slug))
    .orderBy(asc(captionStyles.version))
    .all();
}

/** A given version of a caption style, or without `version` the active one. */
export function getCaptionStyle(db: Db, slug: string, version?: number): CaptionStyleRow {
  const where =
    version === undefined
      ? and(eq(captionStyles.slug, slug), eq(captionStyles.isActive, true))
      : and(eq(captionStyles.slug, slug), eq(captionStyles.version, version));
  const row = db.select().from(captionStyles).where(where).get();
  if (row) return row;
  if (version !== undefined) throw notFound(`caption style "${slug}" has no version ${version}`);
  const any = db
    .select({ id: captionStyles.id })
    .from(captionStyles)
    .where(eq(captionStyles.slug, slug))
    .get();
  throw notFound(any ? `caption style "${slug}" has no active version` : `unknown caption style "${slug}"`);
}

/** Whether a slug names a caption style with an active version (one a job can use). */
export function hasActiveCaptionStyle(db: Db, slug: string): boolean {
  const row = db
    .select({ id: captionStyles.id })
    .from(captionStyles)
    .where(and(eq(captionStyles.slug, slug), eq(captionStyles.isActive, true)))
    .get();
  return row !== undefined;
}

/**
 * Adds the next version of a caption style (creating the style if the slug is new). Old versions are
 * never modified: jobs record the version they ran with.
 */
export function createCaptionStyleVersion(db: Db, input: CaptionStyleVersionInput): CaptionStyleRow {
  const { activate, ...fields } = parseOrThrow(
    CaptionStyleVersionInputSchema,
    input,
    `caption style "${slugOf(input)}"`,
  );
  const row = db.transaction(
    (tx) => {
      const version = nextVersion(tx, captionStyles, fields.slug);
      const makeActive = activate ?? !hasActiveVersion(tx, captionStyles, fields.slug);
      const id = randomUUID();
      tx.insert(captionStyles)
        .values({ id, ...fields, version, isActive: false, createdAt: new Date().toISOString() })
        .run();
      if (makeActive) setActiveVersion(tx, captionStyles, 'caption style', fields.slug, version);
      return tx.select().from(captionStyles).where(eq(captionStyles.id, id)).get() as CaptionStyleRow;
    },
    // IMMEDIATE takes the write lock before reading max(version): two processes cannot pick the same number.
    { behavior: 'immediate' },
  );
  log.info('caption style version created', { slug: row.slug, version: row.version, active: row.isActive });
  return row;
}

/** Makes `version` the one active version of the style: new jobs use it, existing jobs keep theirs. */
export function activateCaptionStyleVersion(db: Db, slug: string, version: number): CaptionStyleRow {
  db.transaction((tx) => setActiveVersion(tx, captionStyles, 'caption style', slug, version), {
    behavior: 'immediate',
  });
  log.info('caption style version activated', { slug, version });
  return getCaptionStyle(db, slug);
}

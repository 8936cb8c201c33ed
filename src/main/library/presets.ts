import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { readingRow } from '../db/json-text.ts';
import type { Db } from '../db/open.ts';
import { videoPresets, voicePresets } from '../db/schema.ts';
import { createLogger } from '../log/logger.ts';
import { LibraryError, notFound, parseOrThrow, slugOf } from './errors.ts';
import {
  type VideoPresetInput,
  type VoicePresetInput,
  VoicePresetInputSchema,
  videoPresetInputSchema,
} from './preset-schemas.ts';
import type { Transaction } from './versions.ts';

const log = createLogger('PresetLibrary');

export type VoicePresetRow = typeof voicePresets.$inferSelect;
export type VideoPresetRow = typeof videoPresets.$inferSelect;

/**
 * Presets are edited in place (they have no versions): a job freezes the preset values it runs with in
 * its snapshot, so editing a preset changes the next job and never one already made.
 */

export function listVoicePresets(db: Db): VoicePresetRow[] {
  return db.select().from(voicePresets).orderBy(asc(voicePresets.slug)).all();
}

/** Slug and name of every preset of a kind: a listing shows them even for a row that no longer reads. */
export function listPresetNames(db: Db, kind: 'voice' | 'video'): { slug: string; name: string }[] {
  const table = kind === 'voice' ? voicePresets : videoPresets;
  return db.select({ slug: table.slug, name: table.name }).from(table).orderBy(asc(table.slug)).all();
}

export function getVoicePreset(db: Db, slug: string): VoicePresetRow {
  const row = readingRow(`voice preset "${slug}"`, () =>
    db.select().from(voicePresets).where(eq(voicePresets.slug, slug)).get(),
  );
  if (!row) throw notFound(`unknown voice preset "${slug}"`);
  return row;
}

/** Creates the preset, or replaces every field of the preset with that slug; bumps updated_at. */
export function saveVoicePreset(db: Db, input: VoicePresetInput, basedOn?: string): VoicePresetRow {
  const preset = parseOrThrow(VoicePresetInputSchema, input, `voice preset "${slugOf(input)}"`);
  const { slug, ...fields } = preset;
  const updatedAt = new Date().toISOString();
  db.transaction(
    (tx) => {
      refuseStale(tx, voicePresets, `voice preset "${slug}"`, slug, basedOn);
      tx.insert(voicePresets)
        .values({ id: randomUUID(), slug, ...fields, updatedAt })
        .onConflictDoUpdate({ target: voicePresets.slug, set: { ...fields, updatedAt } })
        .run();
    },
    { behavior: 'immediate' },
  );
  log.info('voice preset saved', { slug });
  return getVoicePreset(db, slug);
}

export function listVideoPresets(db: Db): VideoPresetRow[] {
  return db.select().from(videoPresets).orderBy(asc(videoPresets.slug)).all();
}

export function getVideoPreset(db: Db, slug: string): VideoPresetRow {
  const row = readingRow(`video preset "${slug}"`, () =>
    db.select().from(videoPresets).where(eq(videoPresets.slug, slug)).get(),
  );
  if (!row) throw notFound(`unknown video preset "${slug}"`);
  return row;
}

/** Creates the preset, or replaces every field of the preset with that slug; bumps updated_at. */
export function saveVideoPreset(db: Db, input: VideoPresetInput, basedOn?: string): VideoPresetRow {
  const preset = parseOrThrow(videoPresetInputSchema(db), input, `video preset "${slugOf(input)}"`);
  const { slug, ...fields } = preset;
  const updatedAt = new Date().toISOString();
  db.transaction(
    (tx) => {
      refuseStale(tx, videoPresets, `video preset "${slug}"`, slug, basedOn);
      tx.insert(videoPresets)
        .values({ id: randomUUID(), slug, ...fields, updatedAt })
        .onConflictDoUpdate({ target: videoPresets.slug, set: { ...fields, updatedAt } })
        .run();
    },
    { behavior: 'immediate' },
  );
  log.info('video preset saved', { slug });
  return getVideoPreset(db, slug);
}

/**
 * A save `basedOn` the preset as saved at that time (its updated_at): refused when it was saved again
 * since (two editors of one preset: the second save silently undid the first's change). Without it
 * (a script, a test), the save replaces what is there.
 */
function refuseStale(
  tx: Transaction,
  table: typeof voicePresets | typeof videoPresets,
  what: string,
  slug: string,
  basedOn: string | undefined,
): void {
  if (basedOn === undefined) return;
  const now = tx.select({ updatedAt: table.updatedAt }).from(table).where(eq(table.slug, slug)).get();
  if (now && now.updatedAt !== basedOn)
    throw new LibraryError(
      'conflict',
      `${what} was saved by someone else after you opened it (at ${now.updatedAt}); open it again to see their change, then save yours`,
    );
}

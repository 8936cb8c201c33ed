/**
 * The folders besides a script's own that its media may come from: the `media.roots` row of the
 * settings table, a JSON list of absolute folders (none by default). It is read when a script is
 * checked and frozen into the job, so the check and the later read agree.
 */
import { isAbsolute } from 'node:path';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { settings } from '../db/schema.ts';
import { createLogger } from '../log/logger.ts';

const log = createLogger('MediaRoots');

export const MEDIA_ROOTS_SETTING = 'media.roots';

const rootsSchema = z
  .array(z.string().max(4096).refine(isAbsolute, 'a media root must be an absolute folder'))
  .max(100);

/** The roots, or none when the row is missing or not a list of absolute folders (fail closed). */
export function readMediaRoots(db: Db): string[] {
  const row = db.select().from(settings).where(eq(settings.key, MEDIA_ROOTS_SETTING)).get();
  if (!row) return [];
  const parsed = rootsSchema.safeParse(row.value);
  if (!parsed.success) {
    log.warn('the media.roots setting is not a list of absolute folders; no media roots are used', {
      issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`),
    });
    return [];
  }
  return parsed.data;
}

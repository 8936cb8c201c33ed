import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { eq } from 'drizzle-orm';
import type { FieldIssue } from '../../shared/contract.ts';
import type { Db } from '../db/open.ts';
import { settings } from '../db/schema.ts';

/**
 * The ffmpeg chosen in Settings: a row of the `settings` table (a path, not a secret). The engine reads
 * it when it next starts (`readFfmpegPathSetting` → createDefaultServices' `ffmpegPath`).
 */
export const FFMPEG_PATH_SETTING = 'ffmpegPath';

export function readFfmpegPathSetting(db: Db): string | null {
  const row = db.select().from(settings).where(eq(settings.key, FFMPEG_PATH_SETTING)).get();
  return typeof row?.value === 'string' ? row.value : null;
}

/** What is wrong with `path` as an ffmpeg to run (empty when it is an absolute path to an executable file). */
export function ffmpegPathProblems(path: unknown): FieldIssue[] {
  const problem = (message: string): FieldIssue[] => [{ field: 'path', message }];
  if (typeof path !== 'string' || path.trim() === '') return problem('path must not be empty');
  if (path.length > 4096) return problem('path is too long');
  if (!isAbsolute(path)) return problem('path must be absolute, e.g. /usr/bin/ffmpeg');
  try {
    if (!statSync(path).isFile()) return problem('path is not a file');
    accessSync(path, constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return problem(code === 'ENOENT' ? 'no file at this path' : 'the file is not executable');
  }
  return [];
}

/** Stores the path (null: search for ffmpeg again). Call ffmpegPathProblems first. */
export function writeFfmpegPathSetting(db: Db, path: string | null): void {
  if (path === null) {
    db.delete(settings).where(eq(settings.key, FFMPEG_PATH_SETTING)).run();
    return;
  }
  db.insert(settings)
    .values({ key: FFMPEG_PATH_SETTING, value: path })
    .onConflictDoUpdate({ target: settings.key, set: { value: path } })
    .run();
}

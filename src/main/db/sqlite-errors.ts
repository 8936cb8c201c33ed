/** SQLite's error codes, read through the causes drizzle wraps them in. */

/** An error, or one of its causes, with a SQLite code `pattern` matches (extended codes included). */
export function hasSqliteCode(error: unknown, pattern: RegExp): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && pattern.test(code)) return true;
  }
  return false;
}

/**
 * A damaged database file (SQLITE_CORRUPT, SQLITE_NOTADB): no retry mends it, and SQLite's own words
 * ("database disk image is malformed") name no file and no way out.
 */
export function isDamaged(error: unknown): boolean {
  return hasSqliteCode(error, /^SQLITE_(CORRUPT|NOTADB)/);
}

export const DAMAGED_HINT =
  "the data folder's database is damaged: vfo doctor checks it; restore the folder from a backup, or move it aside to start afresh";

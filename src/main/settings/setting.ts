/**
 * Settings are data: one row of the `settings` table each, a JSON value checked by its schema when it
 * is read (the database is a file anyone on the Mac could edit). A row that is missing or does not
 * parse reads as null — the caller's default — and the second case is logged, never thrown.
 */
import { eq } from 'drizzle-orm';
import type { ZodType } from 'zod';
import type { Db } from '../db/open.ts';
import { settings } from '../db/schema.ts';
import { createLogger } from '../log/logger.ts';

const log = createLogger('Settings');

export interface Setting<T> {
  key: string;
  /** What a row must be (a caller checks a new value with it before writing). */
  schema: ZodType<T>;
  read(db: Db): T | null;
  /** null removes the row (the default applies again). */
  write(db: Db, value: T | null): void;
}

export function setting<T>(key: string, schema: ZodType<T>, whenInvalid: string): Setting<T> {
  // A bad row is read every second by a node (keep-free, the blocklist, the alerts): it is warned of
  // once per value stored, then only at debug (one row logged 86,000 warnings a day).
  let warnedOf: string | null = null;
  const warn = (value: string, message: string, fields: Record<string, unknown>) => {
    if (value === warnedOf) log.debug(message, fields);
    else log.warn(message, fields);
    warnedOf = value;
  };
  return {
    key,
    schema,
    read(db) {
      let row: { value: unknown } | undefined;
      try {
        row = db.select().from(settings).where(eq(settings.key, key)).get();
      } catch (error) {
        // The column is JSON, parsed as the row is read: a row written by hand may not be JSON at all.
        const message = (error as Error).message;
        warn(message, `the ${key} setting is not JSON; ${whenInvalid}`, { error: message });
        return null;
      }
      if (!row) return null;
      const parsed = schema.safeParse(row.value);
      if (parsed.success) {
        warnedOf = null;
        return parsed.data;
      }
      warn(JSON.stringify(row.value), `the ${key} setting is not valid; ${whenInvalid}`, {
        issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`),
      });
      return null;
    },
    write(db, value) {
      if (value === null) {
        db.delete(settings).where(eq(settings.key, key)).run();
        return;
      }
      const json = value as never;
      db.insert(settings)
        .values({ key, value: json })
        .onConflictDoUpdate({ target: settings.key, set: { value: json } })
        .run();
    },
  };
}

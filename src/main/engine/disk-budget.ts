/**
 * The disk budget is data: the `storage.diskBudget` row of the settings table, `{ "maxBytes": N }`.
 * When the blobs and scratch folders of the data folder pass it, the engine collects garbage after a
 * job ends (garbage-collector.ts). No row: nothing is collected on its own (`vfo gc` still works).
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { settings } from '../db/schema.ts';
import { createLogger } from '../log/logger.ts';

const log = createLogger('DiskBudget');

export const DISK_BUDGET_SETTING = 'storage.diskBudget';

const budgetSchema = z.strictObject({ maxBytes: z.number().int().nonnegative() });

/** The budget in bytes, or null (no automatic collection) when the row is missing or unreadable. */
export function readDiskBudget(db: Db): number | null {
  const row = db.select().from(settings).where(eq(settings.key, DISK_BUDGET_SETTING)).get();
  if (!row) return null;
  const parsed = budgetSchema.safeParse(row.value);
  if (!parsed.success) {
    log.warn('the storage.diskBudget setting is not valid; nothing is collected automatically', {
      issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`),
    });
    return null;
  }
  return parsed.data.maxBytes;
}

/** Stores the budget; null removes it (no automatic collection). */
export function writeDiskBudget(db: Db, maxBytes: number | null): void {
  if (maxBytes === null) {
    db.delete(settings).where(eq(settings.key, DISK_BUDGET_SETTING)).run();
    return;
  }
  const value = { maxBytes };
  db.insert(settings)
    .values({ key: DISK_BUDGET_SETTING, value })
    .onConflictDoUpdate({ target: settings.key, set: { value } })
    .run();
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "20GB", "500 MB", "1.5g", "1048576" → bytes (binary units); null when it is not a size. */
export function parseSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return null;
  const bytes = Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] as number);
  return Number.isFinite(bytes) ? Math.round(bytes) : null;
}

import { and, eq, max } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import type { captionStyles, prompts, recipes } from '../db/schema.ts';
import { notFound } from './errors.ts';

/**
 * Shared rules of the versioned tables (recipes, prompts, caption styles): versions are numbered 1, 2,
 * 3... per slug, rows are never edited once written (jobs and step hashes record the version they
 * used), and at most one version per slug is active — the one new work picks up.
 */
type VersionedTable = typeof recipes | typeof prompts | typeof captionStyles;

export type Transaction = Parameters<Parameters<Db['transaction']>[0]>[0];

/** What a list screen shows per slug: the newest version and the one in use (null if none is). */
export interface VersionSummary<Row> {
  slug: string;
  latest: Row;
  active: Row | null;
  versionCount: number;
}

export function nextVersion(tx: Transaction, table: VersionedTable, slug: string): number {
  const row = tx
    .select({ highest: max(table.version) })
    .from(table)
    .where(eq(table.slug, slug))
    .get();
  return (row?.highest ?? 0) + 1;
}

export function hasActiveVersion(tx: Transaction, table: VersionedTable, slug: string): boolean {
  const row = tx
    .select({ version: table.version })
    .from(table)
    .where(and(eq(table.slug, slug), eq(table.isActive, true)))
    .get();
  return row !== undefined;
}

/** Makes `version` the only active version of `slug`; `what` names the table in errors ("prompt"). */
export function setActiveVersion(
  tx: Transaction,
  table: VersionedTable,
  what: string,
  slug: string,
  version: number,
): void {
  const target = tx
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.slug, slug), eq(table.version, version)))
    .get();
  if (!target) throw notFound(`${what} "${slug}" has no version ${version}`);
  tx.update(table).set({ isActive: false }).where(eq(table.slug, slug)).run();
  tx.update(table).set({ isActive: true }).where(eq(table.id, target.id)).run();
}

/** Groups rows (any order) into one summary per slug, sorted by slug. */
export function summarize<Row extends { slug: string; version: number; isActive: boolean }>(
  rows: readonly Row[],
): VersionSummary<Row>[] {
  const bySlug = new Map<string, VersionSummary<Row>>();
  for (const row of rows) {
    const summary = bySlug.get(row.slug);
    if (!summary) {
      bySlug.set(row.slug, {
        slug: row.slug,
        latest: row,
        active: row.isActive ? row : null,
        versionCount: 1,
      });
      continue;
    }
    summary.versionCount++;
    if (row.version > summary.latest.version) summary.latest = row;
    if (row.isActive) summary.active = row;
  }
  return [...bySlug.values()].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}

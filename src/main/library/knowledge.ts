import { randomUUID } from 'node:crypto';
import { asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/open.ts';
import { knowledgeBase } from '../db/schema.ts';
import { parseOrThrow, slugOf } from './errors.ts';
import { LIBRARY_LIMITS, nameRule, slugRule, tierRule } from './rules.ts';

/**
 * The knowledge base: texts grouped in tiers that prompts pull in (a prompt lists its kb_tiers).
 * Entries are edited in place (no versions), so a step that wants an edited entry to re-run it must hash
 * the rendered completion request, not only the prompt's version.
 */
export type KnowledgeRow = typeof knowledgeBase.$inferSelect;

export const KnowledgeInputSchema = z.strictObject({
  slug: slugRule,
  tier: tierRule,
  title: nameRule,
  content: z
    .string()
    .max(LIBRARY_LIMITS.maxTextLength)
    .refine((text) => text.trim().length > 0, 'content must not be empty'),
});

export type KnowledgeInput = z.input<typeof KnowledgeInputSchema>;

/** Creates the entry, or replaces the tier, title and content of the entry with that slug. */
export function upsertKnowledge(db: Db, input: KnowledgeInput): KnowledgeRow {
  const entry = parseOrThrow(KnowledgeInputSchema, input, `knowledge entry "${slugOf(input)}"`);
  db.insert(knowledgeBase)
    .values({ id: randomUUID(), ...entry, createdAt: new Date().toISOString() })
    .onConflictDoUpdate({
      target: knowledgeBase.slug,
      set: { tier: entry.tier, title: entry.title, content: entry.content },
    })
    .run();
  return db.select().from(knowledgeBase).where(eq(knowledgeBase.slug, entry.slug)).get() as KnowledgeRow;
}

/** Entries of one tier, or of all tiers; ordered by tier then slug. */
export function listKnowledge(db: Db, tier?: string): KnowledgeRow[] {
  const query = db.select().from(knowledgeBase);
  const filtered = tier === undefined ? query : query.where(eq(knowledgeBase.tier, tier));
  return filtered.orderBy(asc(knowledgeBase.tier), asc(knowledgeBase.slug)).all();
}

/** Removes an entry; false when there was none with that slug. */
export function deleteKnowledge(db: Db, slug: string): boolean {
  return db.delete(knowledgeBase).where(eq(knowledgeBase.slug, slug)).run().changes > 0;
}

/**
 * The text injected into a prompt as {{knowledge}}: the entries of `tiers`, in the order the tiers are
 * listed (a prompt puts its most important tier first), then by slug, each as "## title\n\ncontent".
 */
export function getKnowledgeBase(db: Db, tiers: readonly string[]): string {
  const wanted = [...new Set(tiers)];
  if (wanted.length === 0) return '';
  const rows = db
    .select()
    .from(knowledgeBase)
    .where(inArray(knowledgeBase.tier, wanted))
    .orderBy(asc(knowledgeBase.slug))
    .all();
  const rank = new Map(wanted.map((tier, i) => [tier, i]));
  // Array.sort is stable, so rows keep their slug order within a tier.
  rows.sort((a, b) => (rank.get(a.tier) as number) - (rank.get(b.tier) as number));
  return rows.map((row) => `## ${row.title}\n\n${row.content}`).join('\n\n');
}

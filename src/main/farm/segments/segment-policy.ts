/**
 * The split policy is data (the `farm.segments` row of the settings table), read when a video is
 * sent to the farm, so a change applies to the next video without a restart.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { FieldIssue } from '../../../shared/contract.ts';
import type { Db } from '../../db/open.ts';
import { settings } from '../../db/schema.ts';
import { createLogger } from '../../log/logger.ts';
import type { SplitPolicy } from './split-plan.ts';

const log = createLogger('SegmentPolicy');

export const SEGMENT_POLICY_SETTING = 'farm.segments';

const MAX_SECONDS = 24 * 3600;
const policySchema = z.strictObject({ minSegmentSeconds: z.number().min(1).max(MAX_SECONDS) });

/** The policy, or null (videos render whole) when the row is missing or unreadable. */
export function readSegmentPolicy(db: Db): SplitPolicy | null {
  const row = db.select().from(settings).where(eq(settings.key, SEGMENT_POLICY_SETTING)).get();
  if (!row) return null;
  const parsed = policySchema.safeParse(row.value);
  if (!parsed.success) {
    log.warn('the farm.segments setting is not valid; videos render whole', {
      issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`),
    });
    return null;
  }
  return { minSegmentMs: Math.round(parsed.data.minSegmentSeconds * 1000) };
}

/** The minimum segment length in seconds, as Settings shows it (null: videos render whole). */
export function readMinSegmentSeconds(db: Db): number | null {
  const policy = readSegmentPolicy(db);
  return policy ? policy.minSegmentMs / 1000 : null;
}

/** What is wrong with `seconds` as a minimum segment length (empty when it is fine). */
export function minSegmentSecondsProblems(seconds: unknown): FieldIssue[] {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 1 || seconds > MAX_SECONDS)
    return [{ field: 'seconds', message: `seconds must be a number from 1 to ${MAX_SECONDS}` }];
  return [];
}

/** Stores the policy (call minSegmentSecondsProblems first); the next video sent to the farm uses it. */
export function writeMinSegmentSeconds(db: Db, seconds: number): void {
  const value = { minSegmentSeconds: seconds };
  db.insert(settings)
    .values({ key: SEGMENT_POLICY_SETTING, value })
    .onConflictDoUpdate({ target: settings.key, set: { value } })
    .run();
}

/**
 * The split policy is data (the `farm.segments` row of the settings table), read when a video is
 * sent to the farm, so a change applies to the next video without a restart.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/open.ts';
import { settings } from '../../db/schema.ts';
import { createLogger } from '../../log/logger.ts';
import type { SplitPolicy } from './split-plan.ts';

const log = createLogger('SegmentPolicy');

export const SEGMENT_POLICY_SETTING = 'farm.segments';

const policySchema = z.strictObject({
  minSegmentSeconds: z
    .number()
    .min(1)
    .max(24 * 3600),
});

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

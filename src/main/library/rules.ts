import { z } from 'zod';
import { templateProblems } from './template.ts';

/** Field rules shared by the library's schemas (slugs and names are the presets' own, in src/shared). */
export { nameRule, SLUG_PATTERN, slugRule } from '../../shared/presets.ts';

export const LIBRARY_LIMITS = {
  maxDescriptionLength: 2_000,
  /** Prompts and knowledge entries are long texts, but not whole books. */
  maxTextLength: 200_000,
  /** A prompt as sent, its variables filled in: a long brief and knowledge base fit (~100k tokens). */
  maxRenderedLength: 400_000,
  maxTokens: 200_000,
  maxKbTiers: 20,
} as const;

export const TIER_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export const tierRule = z
  .string()
  .regex(TIER_PATTERN, 'tier must be lower-case letters, digits, "_" or "-" (at most 40)');

/** A prompt text whose `{{placeholders}}` are all well-formed. */
export function templateRule(emptyAllowed: boolean) {
  return z
    .string()
    .max(LIBRARY_LIMITS.maxTextLength)
    .refine((text) => emptyAllowed || text.trim().length > 0, 'must not be empty')
    .superRefine((text, ctx) => {
      for (const message of templateProblems(text)) ctx.addIssue({ code: 'custom', message });
    });
}

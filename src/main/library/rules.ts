import { z } from 'zod';
import { templateProblems } from './template.ts';

/**
 * Field rules shared by the library's schemas. Slugs are what scripts, the CLI and other rows refer to,
 * so they stay lower-case and shell-friendly; dots allow names like "narration.script.v1".
 */
export const LIBRARY_LIMITS = {
  maxSlugLength: 80,
  maxNameLength: 200,
  maxDescriptionLength: 2_000,
  /** Prompts and knowledge entries are long texts, but not whole books. */
  maxTextLength: 200_000,
  maxTokens: 200_000,
  maxKbTiers: 20,
  maxPipelineSteps: 100,
  maxVisuals: 100,
  minCaptionFontSize: 8,
  maxCaptionFontSize: 400,
} as const;

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
export const TIER_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export const slugRule = z
  .string()
  .max(LIBRARY_LIMITS.maxSlugLength)
  .regex(
    SLUG_PATTERN,
    'slug must be lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const nameRule = z.string().trim().min(1, 'name must not be empty').max(LIBRARY_LIMITS.maxNameLength);

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

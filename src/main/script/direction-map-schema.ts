import { z } from 'zod';
import { parsePitch, parseRate } from './direction-values.ts';
import { normalizeWord } from './directions.ts';
import { SCRIPT_LIMITS, STYLE_NAME_PATTERN } from './limits.ts';
import type { DirectionMap } from './types.ts';

/**
 * Schema for a direction map read from configuration (the voice preset's direction_map column):
 * it is user-edited data, so it is checked before the parser trusts it.
 */
const rateValue = z
  .string()
  .refine((v) => parseRate(v, 'rate').ok, 'rate must look like "+10%" (-50%..+100%)');
const pitchValue = z
  .string()
  .refine((v) => parsePitch(v, 'pitch').ok, 'pitch must look like "+5%" or "-2st" (±50%, ±12st)');

const DirectionSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('pause'),
    defaultMs: z.number().int().min(SCRIPT_LIMITS.minPauseMs).max(SCRIPT_LIMITS.maxPauseMs),
  }),
  z.strictObject({ kind: z.literal('style'), style: z.string().regex(STYLE_NAME_PATTERN) }),
  z.strictObject({ kind: z.literal('style-named') }),
  z.strictObject({ kind: z.literal('style-reset') }),
  z
    .strictObject({ kind: z.literal('prosody'), rate: rateValue.optional(), pitch: pitchValue.optional() })
    .refine((v) => v.rate !== undefined || v.pitch !== undefined, 'prosody needs a rate or a pitch'),
  z.strictObject({ kind: z.literal('rate') }),
  z.strictObject({ kind: z.literal('pitch') }),
  z.strictObject({ kind: z.literal('voice') }),
  z.strictObject({ kind: z.literal('image') }),
  z.strictObject({ kind: z.literal('clip') }),
  z.strictObject({
    kind: z.literal('music'),
    off: z
      .string()
      .regex(/^\p{L}[\p{L}\p{N}_-]{0,31}$/u, 'the word for "no music" is one word of letters')
      .optional(),
  }),
]);

const DirectionWord = z
  .string()
  .regex(/^\p{L}[\p{L}\p{N}_-]{0,31}$/u, 'direction words are one word of letters');

export const DirectionMapSchema = z
  .record(DirectionWord, DirectionSpecSchema)
  .refine((map) => Object.keys(map).length <= 500, 'a direction map has at most 500 words')
  .superRefine((map, ctx) => {
    const seen = new Map<string, string>();
    for (const word of Object.keys(map)) {
      const key = normalizeWord(word);
      const other = seen.get(key);
      if (other !== undefined) {
        ctx.addIssue({ code: 'custom', message: `"${word}" and "${other}" are the same word`, path: [word] });
      }
      seen.set(key, word);
    }
  });

export type DirectionMapValidation = { ok: true; map: DirectionMap } | { ok: false; errors: string[] };

export function validateDirectionMap(value: unknown): DirectionMapValidation {
  const result = DirectionMapSchema.safeParse(value);
  if (result.success) return { ok: true, map: result.data as DirectionMap };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => `${issue.path.join('.') || '(map)'}: ${issue.message}`),
  };
}

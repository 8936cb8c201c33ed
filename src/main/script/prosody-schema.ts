/**
 * A voice preset's prosody as a voice can take it: a rate and a pitch in the ranges a script's own
 * directions have, and a style degree Azure takes. One schema for the Library's save and the engine's
 * read of a row.
 */
import { z } from 'zod';
import { ProsodySchema } from '../../shared/presets.ts';
import { parsePitch, parseRate } from './direction-values.ts';
import { SCRIPT_LIMITS } from './limits.ts';

export const VoiceProsodySchema = ProsodySchema.extend({
  rate: z
    .string()
    .refine((v) => parseRate(v, 'rate').ok, 'rate must look like "+10%" (-50%..+100%)')
    .optional(),
  pitch: z
    .string()
    .refine((v) => parsePitch(v, 'pitch').ok, 'pitch must look like "+5%" or "-2st" (±50%, ±12st)')
    .optional(),
});

const degreeMessage = `styleDegree must be ${SCRIPT_LIMITS.minStyleDegree}..${SCRIPT_LIMITS.maxStyleDegree}`;

/** How strongly a voice speaks its style (Azure's styledegree); null: the voice's own default. */
export const StyleDegreeSchema = z
  .number()
  .min(SCRIPT_LIMITS.minStyleDegree, degreeMessage)
  .max(SCRIPT_LIMITS.maxStyleDegree, degreeMessage)
  .nullable();

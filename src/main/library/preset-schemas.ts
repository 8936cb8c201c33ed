import { z } from 'zod';
import { VideoPresetSchema, VoicePresetSchema } from '../../shared/presets.ts';
import type { Db } from '../db/open.ts';
import { validateDirectionMap } from '../script/index.ts';
import { StyleDegreeSchema, VoiceProsodySchema } from '../script/prosody-schema.ts';
import { hasActiveCaptionStyle } from './caption-styles.ts';

/**
 * What the engine adds to the preset shapes of src/shared/presets.ts before it saves one: prosody and
 * style values a voice can really take, and a stage-direction vocabulary the parser accepts. Fields
 * left out of an input get their defaults.
 */

export { VOICE_PROVIDERS } from '../../shared/presets.ts';

export const VoicePresetInputSchema = VoicePresetSchema.extend({
  prosody: VoiceProsodySchema.default({}),
  style: VoicePresetSchema.shape.style.default(null),
  styleDegree: StyleDegreeSchema.default(null),
  role: VoicePresetSchema.shape.role.default(null),
  directionMap: z.unknown().transform((map, ctx) => {
    const checked = validateDirectionMap(map);
    if (checked.ok) return checked.map;
    for (const message of checked.errors) ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }),
}).superRefine((preset, ctx) => {
  if (preset.styleDegree !== null && preset.style === null) {
    ctx.addIssue({ code: 'custom', message: 'styleDegree needs a style', path: ['styleDegree'] });
  }
});

export type VoicePresetInput = z.input<typeof VoicePresetInputSchema>;

/** The video preset's shape, and a caption style that exists: a preset never points at nothing. */
export function videoPresetInputSchema(db: Db) {
  return VideoPresetSchema.extend({
    captionStyle: VideoPresetSchema.shape.captionStyle.pipe(
      z.string().superRefine((slug, ctx) => {
        if (hasActiveCaptionStyle(db, slug)) return;
        ctx.addIssue({
          code: 'custom',
          message: `unknown caption style "${slug}" (or none of its versions is active)`,
        });
      }),
    ),
  });
}

export type VideoPresetInput = z.input<typeof VideoPresetSchema>;

import { z } from 'zod';
import { PLAN_LIMITS } from '../../shared/render-plan.ts';
import { parsePitch, parseRate } from '../script/direction-values.ts';
import { validateDirectionMap } from '../script/index.ts';
import { SCRIPT_LIMITS, STYLE_NAME_PATTERN, VOICE_SLUG_PATTERN } from '../script/limits.ts';
import { nameRule, slugRule } from './rules.ts';

/**
 * What a voice or video preset may hold. The bounds are the ones the rest of the engine enforces
 * (script directions, RenderPlan output), so a preset that saves is a preset a job can run with.
 */

export const VOICE_PROVIDERS = ['offline', 'azure'] as const;

/** Language tags such as "en", "pt-BR", "es-419", "zh-Hans-CN". */
const LANGUAGE_PATTERN = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
/** Synthesizer ids used as voiceNames keys, e.g. "espeak-ng", "say", "azure". */
const SYNTHESIZER_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const ProsodySchema = z.strictObject({
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

export const VoicePresetInputSchema = z
  .strictObject({
    // Scripts name presets in [voice SLUG] and front matter, so the slug follows the script's rule.
    slug: z
      .string()
      .regex(VOICE_SLUG_PATTERN, 'slug must be letters, digits, "_", ".", "+" or "-" (at most 64)'),
    name: nameRule,
    provider: z.enum(VOICE_PROVIDERS, `provider must be one of: ${VOICE_PROVIDERS.join(', ')}`),
    voiceNames: z
      .record(
        z.string().regex(SYNTHESIZER_PATTERN, 'synthesizer ids are lower-case, e.g. "espeak-ng"'),
        z.string().trim().min(1, 'voice name must not be empty').max(200),
      )
      .refine((names) => Object.keys(names).length > 0, 'name at least one voice'),
    language: z.string().regex(LANGUAGE_PATTERN, 'language must be a BCP-47 tag such as "en-US"'),
    prosody: ProsodySchema.default({}),
    style: z
      .string()
      .regex(STYLE_NAME_PATTERN, 'style must be a word like "cheerful"')
      .nullable()
      .default(null),
    styleDegree: z
      .number()
      .min(SCRIPT_LIMITS.minStyleDegree, degreeMessage)
      .max(SCRIPT_LIMITS.maxStyleDegree, degreeMessage)
      .nullable()
      .default(null),
    role: z
      .string()
      .regex(STYLE_NAME_PATTERN, 'role must be a word like "YoungAdultFemale"')
      .nullable()
      .default(null),
    directionMap: z.unknown().transform((map, ctx) => {
      const checked = validateDirectionMap(map);
      if (checked.ok) return checked.map;
      for (const message of checked.errors) ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }),
  })
  .superRefine((preset, ctx) => {
    if (preset.styleDegree !== null && preset.style === null) {
      ctx.addIssue({ code: 'custom', message: 'styleDegree needs a style', path: ['styleDegree'] });
    }
  });

export type VoicePresetInput = z.input<typeof VoicePresetInputSchema>;

const dimensionMessage = `must be an even number ${PLAN_LIMITS.minDimension}..${PLAN_LIMITS.maxDimension}`;
const dimension = z
  .number()
  .int(dimensionMessage)
  .min(PLAN_LIMITS.minDimension, dimensionMessage)
  .max(PLAN_LIMITS.maxDimension, dimensionMessage)
  .refine((n) => n % 2 === 0, dimensionMessage);

export const VideoPresetInputSchema = z.strictObject({
  slug: slugRule,
  name: nameRule,
  encoders: z
    .array(z.string().regex(/^[a-z0-9_]+$/, 'encoder names look like "libx264"'))
    .min(1, 'list at least one encoder')
    .max(8),
  width: dimension,
  height: dimension,
  fps: z
    .number()
    .int('fps must be a whole number')
    .min(1, 'fps must be 1..120')
    .max(PLAN_LIMITS.maxFps, 'fps must be 1..120'),
  bitrate: z.string().regex(/^\d+(\.\d+)?[kKmM]?$/, 'bitrate must look like "8M" or "2500k"'),
  crf: z
    .number()
    .int('crf must be a whole number')
    .min(0, 'crf must be 0..51')
    .max(51, 'crf must be 0..51')
    .nullable(),
  speedPreset: z
    .string()
    .regex(/^[a-z]+$/, 'speedPreset must be a word like "veryfast"')
    .nullable(),
  pixelFormat: z.enum(['yuv420p', 'nv12'], 'pixelFormat must be yuv420p or nv12'),
  audioCodec: z.literal('aac', 'audioCodec must be aac'),
  audioBitrate: z.string().regex(/^\d+[kK]$/, 'audioBitrate must look like "160k"'),
  audioSampleRate: z
    .number()
    .int('audioSampleRate must be a whole number')
    .min(8000, 'audioSampleRate must be 8000..96000')
    .max(96000, 'audioSampleRate must be 8000..96000'),
});

export type VideoPresetInput = z.input<typeof VideoPresetInputSchema>;

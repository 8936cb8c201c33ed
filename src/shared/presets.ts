/**
 * The shapes of voice and video presets, declared once: the Library saves them, the UI edits them
 * (its form is driven by these schemas), jobs freeze them, and a RenderPlan's output is made of the
 * video preset's encoding fields. Bounds are those the engine enforces, so a preset that saves is a
 * preset a job can run with. Rules that need the engine (stage-direction vocabularies, prosody values)
 * are added where the engine checks a preset (src/main/library/preset-schemas.ts).
 */
import { z } from 'zod';

export const PRESET_LIMITS = {
  minDimension: 16,
  maxDimension: 7680,
  maxFps: 120,
  maxSlugLength: 80,
  maxNameLength: 200,
} as const;

/**
 * Slugs are what scripts, the CLI and other rows refer to, so they stay lower-case and shell-friendly;
 * dots allow names like "narration.script.v1".
 */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
/** Voice slugs follow the script's rule, since scripts name them in [voice SLUG]. */
export const VOICE_SLUG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;
/** Azure speaking styles and roles, e.g. "cheerful", "YoungAdultFemale". */
export const STYLE_NAME_PATTERN = /^[a-z][a-z-]{1,39}$/i;
/** Language tags such as "en", "pt-BR", "es-419", "zh-Hans-CN". */
const LANGUAGE_PATTERN = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
/** Synthesizer ids used as voiceNames keys, e.g. "espeak-ng", "say", "azure". */
const SYNTHESIZER_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const slugRule = z
  .string()
  .max(PRESET_LIMITS.maxSlugLength)
  .regex(
    SLUG_PATTERN,
    'slug must be lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const nameRule = z.string().trim().min(1, 'name must not be empty').max(PRESET_LIMITS.maxNameLength);

const dimensionMessage = `dimensions must be even numbers ${PRESET_LIMITS.minDimension}..${PRESET_LIMITS.maxDimension} (yuv420p)`;
export const dimensionRule = z
  .number()
  .int(dimensionMessage)
  .min(PRESET_LIMITS.minDimension, dimensionMessage)
  .max(PRESET_LIMITS.maxDimension, dimensionMessage)
  .refine((n) => n % 2 === 0, dimensionMessage);

/** How a video is encoded: what a RenderPlan's output carries (plus its container and codec). */
export const VideoEncodingSchema = z.strictObject({
  /** Encoder names in order of preference; the first one the machine's ffmpeg has is used. */
  encoders: z
    .array(z.string().regex(/^[a-z0-9_]+$/, 'encoder names look like "libx264"'))
    .min(1, 'list at least one encoder')
    .max(8),
  width: dimensionRule,
  height: dimensionRule,
  fps: z
    .number()
    .int('fps must be a whole number')
    .min(1, `fps must be 1..${PRESET_LIMITS.maxFps}`)
    .max(PRESET_LIMITS.maxFps, `fps must be 1..${PRESET_LIMITS.maxFps}`),
  /** e.g. "6M"; hardware encoders need a bitrate (they reject crf). */
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
export type VideoEncoding = z.infer<typeof VideoEncodingSchema>;

/** The caption style a video preset names when it names none: the look captions had before styles. */
export const DEFAULT_CAPTION_STYLE = 'clean';

export const VideoPresetSchema = z.strictObject({
  slug: slugRule,
  name: nameRule,
  ...VideoEncodingSchema.shape,
  /**
   * The caption style (its slug; the active version is used) of videos made with this preset: the look
   * belongs with the canvas and the platform a preset targets, while one recipe serves many presets.
   */
  captionStyle: slugRule.default(DEFAULT_CAPTION_STYLE),
});
/** A video preset as the Library holds it and the UI edits it. */
export type VideoPreset = z.infer<typeof VideoPresetSchema>;

export const VOICE_PROVIDERS = ['offline', 'azure'] as const;

export const ProsodySchema = z.strictObject({
  rate: z.string().max(16).optional(),
  pitch: z.string().max(16).optional(),
});

export const VoicePresetSchema = z.strictObject({
  slug: z
    .string()
    .regex(VOICE_SLUG_PATTERN, 'slug must be letters, digits, "_", ".", "+" or "-" (at most 64)'),
  name: nameRule,
  provider: z.enum(VOICE_PROVIDERS, `provider must be one of: ${VOICE_PROVIDERS.join(', ')}`),
  /** Synthesizer id → voice name, e.g. { "espeak-ng": "en-us" }. */
  voiceNames: z
    .record(
      z.string().regex(SYNTHESIZER_PATTERN, 'synthesizer ids are lower-case, e.g. "espeak-ng"'),
      z.string().trim().min(1, 'voice name must not be empty').max(200),
    )
    .refine((names) => Object.keys(names).length > 0, 'name at least one voice'),
  language: z.string().regex(LANGUAGE_PATTERN, 'language must be a BCP-47 tag such as "en-US"'),
  prosody: ProsodySchema,
  style: z.string().regex(STYLE_NAME_PATTERN, 'style must be a word like "cheerful"').nullable(),
  styleDegree: z.number().nullable(),
  role: z.string().regex(STYLE_NAME_PATTERN, 'role must be a word like "YoungAdultFemale"').nullable(),
  /** The stage-direction vocabulary (JSON), checked by the engine. */
  directionMap: z.unknown(),
});
/** A voice preset as the Library holds it and the UI edits it. */
export type VoicePreset = z.infer<typeof VoicePresetSchema>;

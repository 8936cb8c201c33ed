/**
 * The shapes of voice and video presets, declared once: the Library saves them, the UI edits them
 * (its form is driven by these schemas), jobs freeze them, and a RenderPlan's output is made of the
 * video preset's encoding fields. Bounds are those the engine enforces, so a preset that saves is a
 * preset a job can run with. Rules that need the engine (stage-direction vocabularies, prosody values)
 * are added where the engine checks a preset (src/main/library/preset-schemas.ts).
 */
import { z } from 'zod';
import { TransitionTextSchema } from './transition.ts';

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

/** A check that says a value's first problem only (`problem` gives it, or null): one message a field. */
function firstProblem(problem: (value: string) => string | null) {
  return z.superRefine<string>((value, ctx) => {
    const message = problem(value);
    if (message !== null) ctx.addIssue({ code: 'custom', message, input: value });
  });
}

/**
 * A name shown in lists and menus: no control characters (a NUL, a line break) or bidi overrides,
 * which rearrange what is shown around it, and something visible in it (not zero-width spaces only).
 */
export const nameRule = z
  .string()
  .trim()
  .max(PRESET_LIMITS.maxNameLength)
  .check(
    firstProblem((name) => {
      if (name === '') return 'name must not be empty';
      if (/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(name)) return 'name must not hold control characters';
      return /[\p{L}\p{N}\p{P}\p{S}]/u.test(name) ? null : 'name must show something';
    }),
  );

const dimensionMessage = `dimensions must be even numbers ${PRESET_LIMITS.minDimension}..${PRESET_LIMITS.maxDimension} (yuv420p)`;
export const dimensionRule = z
  .number()
  .int(dimensionMessage)
  .min(PRESET_LIMITS.minDimension, dimensionMessage)
  .max(PRESET_LIMITS.maxDimension, dimensionMessage)
  .refine((n) => n % 2 === 0, dimensionMessage);

/** libx264's and libx265's speed presets: any other word failed the encode, after the narration. */
export const X26X_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
  'placebo',
] as const;

/** More than any encoder takes for a 4K video ("99999999999999999999M" saved, and ffmpeg refused it). */
const MAX_BITRATE = 500_000_000;

function bitsPerSecond(text: string): number {
  const unit = text.at(-1)?.toLowerCase();
  const scale = unit === 'k' ? 1e3 : unit === 'm' ? 1e6 : 1;
  return Number.parseFloat(text) * scale;
}

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
  bitrate: z
    .string()
    .regex(/^\d+(\.\d+)?[kKmM]?$/, 'bitrate must look like "8M" or "2500k"')
    .refine((text) => bitsPerSecond(text) <= MAX_BITRATE, `bitrate must be at most ${MAX_BITRATE / 1e6}M`),
  crf: z
    .number()
    .int('crf must be a whole number')
    .min(0, 'crf must be 0..51')
    .max(51, 'crf must be 0..51')
    .nullable(),
  speedPreset: z.enum(X26X_PRESETS, `speedPreset must be one of ${X26X_PRESETS.join(', ')}`).nullable(),
  pixelFormat: z.enum(['yuv420p', 'nv12'], 'pixelFormat must be yuv420p or nv12'),
  audioCodec: z.literal('aac', 'audioCodec must be aac'),
  // AAC's useful range: "0k" and "99999999999k" were saved, and ffmpeg quietly chose a rate of its own.
  audioBitrate: z.string().check(
    firstProblem((rate) => {
      if (!/^\d+[kK]$/.test(rate)) return 'audioBitrate must look like "160k"';
      const kbps = Number.parseInt(rate, 10);
      return kbps < 32 || kbps > 512 ? 'audioBitrate must be 32k..512k' : null;
    }),
  ),
  audioSampleRate: z
    .number()
    .int('audioSampleRate must be a whole number')
    .min(8000, 'audioSampleRate must be 8000..96000')
    .max(96000, 'audioSampleRate must be 8000..96000'),
});
export type VideoEncoding = z.infer<typeof VideoEncodingSchema>;

const between = (what: string, min: number, max: number, unit: string) =>
  z
    .number(`${what} must be a number`)
    .min(min, `${what} must be ${min}..${max} ${unit}`)
    .max(max, `${what} must be ${min}..${max} ${unit}`);

/**
 * How loud the finished video is: the mix is measured and brought to `targetLufs` (integrated, EBU
 * R128), its peaks kept under `truePeakDbtp`. Platforms play at such a level: YouTube at -14 LUFS, -1 dBTP.
 */
export const LoudnessSchema = z.strictObject({
  targetLufs: between('targetLufs', -40, -5, 'LUFS'),
  truePeakDbtp: between('truePeakDbtp', -9, 0, 'dBTP'),
});
export type Loudness = z.infer<typeof LoudnessSchema>;

/**
 * How a music bed sits under the narration. Levels are relative to the narration's own loudness, so
 * a loud master and a quiet one end up at the same place; the bed ducks while someone speaks
 * (sidechain compression keyed by the narration) and fades in and out where it starts and stops.
 */
export const MusicMixSchema = z.strictObject({
  /** The bed's loudness against the narration's, where nobody speaks. */
  levelDb: between('levelDb', -40, 0, 'dB'),
  /** How far the bed drops under speech. */
  duckDb: between('duckDb', 0, 40, 'dB'),
  /** How fast it drops when speech starts, and comes back after it stops. */
  attackMs: between('attackMs', 1, 2000, 'ms'),
  releaseMs: between('releaseMs', 10, 9000, 'ms'),
  fadeInMs: between('fadeInMs', 0, 30_000, 'ms'),
  fadeOutMs: between('fadeOutMs', 0, 30_000, 'ms'),
});
export type MusicMix = z.infer<typeof MusicMixSchema>;
/** A preset's length limit stays within what a plan may hold (PLAN_LIMITS.maxDurationMs, 6 h). */
export const MAX_DURATION_SECONDS = 6 * 60 * 60;
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
  loudness: LoudnessSchema,
  music: MusicMixSchema,
  /**
   * How scenes give way to each other ("cut", "crossfade 800ms", "fade 0.5s"); a script's front matter
   * may choose another. A preset's, since the pace a platform suits belongs with it.
   */
  transition: TransitionTextSchema.default('cut'),
  /**
   * The longest video this preset makes, in seconds (null: no limit but the plan's): platforms such as
   * Shorts refuse longer uploads, so a longer narration fails at the plan step and is warned of earlier.
   */
  maxDurationSeconds: z
    .number('maxDurationSeconds must be a number')
    .int('maxDurationSeconds must be a whole number')
    .min(1, `maxDurationSeconds must be 1..${MAX_DURATION_SECONDS}`)
    .max(MAX_DURATION_SECONDS, `maxDurationSeconds must be 1..${MAX_DURATION_SECONDS}`)
    .nullable()
    .default(null),
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

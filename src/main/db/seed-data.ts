/**
 * Real defaults every installation starts with. They are rows, not constants in code: the engine
 * reads everything about voices, encoders and pipelines from the database (config-first).
 */

import type { CaptionStyle } from '../../shared/caption-styles.ts';
import { DEFAULT_DIRECTION_MAPS } from '../script/index.ts';
import type { Json, Pipeline, RecipeDefaults, videoPresets, voicePresets } from './schema.ts';

type SeedRow<T> = Omit<T, 'id' | 'updatedAt'>;

export const NARRATED_PIPELINE: Pipeline = {
  steps: [
    { key: 'script', kind: 'script.parse', dependsOn: [] },
    { key: 'ssml', kind: 'speech.ssml', dependsOn: ['script'] },
    { key: 'narration', kind: 'speech.synthesize', dependsOn: ['script'] },
    { key: 'captions', kind: 'captions.build', dependsOn: ['narration'] },
    { key: 'plan', kind: 'render.plan', dependsOn: ['script', 'narration', 'captions'] },
    { key: 'video', kind: 'render.encode', dependsOn: ['plan'] },
  ],
};

/** Claude writes the script first; the rest is the narrated pipeline, reading the written script. */
export const FROM_BRIEF_PIPELINE: Pipeline = {
  steps: [
    { key: 'write', kind: 'script.write', dependsOn: [], with: { prompt: 'script.writer' } },
    ...NARRATED_PIPELINE.steps.map((step) =>
      step.key === 'script' ? { ...step, dependsOn: ['write'] } : step,
    ),
  ],
};

const visuals = ['dawn.png', 'dusk.png', 'slate.png'];

export const SEED_RECIPES: {
  slug: string;
  name: string;
  description: string;
  pipeline: Pipeline;
  defaults: RecipeDefaults;
}[] = [
  {
    slug: 'narrated-16x9',
    name: 'Narrated video, 16:9',
    description: 'Script → offline narration → burned-in captions → 1080p landscape video.',
    pipeline: NARRATED_PIPELINE,
    defaults: {
      voicePreset: 'offline-en',
      videoPreset: 'landscape-1080p',
      visuals,
      motion: 'zoom-in',
      captions: { burnIn: true },
    },
  },
  {
    slug: 'narrated-9x16',
    name: 'Narrated video, 9:16',
    description: 'Script → offline narration → burned-in captions → 1080x1920 portrait video for phones.',
    pipeline: NARRATED_PIPELINE,
    defaults: {
      voicePreset: 'offline-en',
      videoPreset: 'portrait-1080p',
      visuals,
      motion: 'zoom-in',
      captions: { burnIn: true },
    },
  },
  {
    slug: 'narrated-16x9-music',
    name: 'Narrated video with a music bed, 16:9',
    description:
      'Script → offline narration → burned-in captions → 1080p landscape video, over the bundled "soft-pad" bed (a script may name its own).',
    pipeline: NARRATED_PIPELINE,
    defaults: {
      voicePreset: 'offline-en',
      videoPreset: 'landscape-1080p',
      visuals,
      motion: 'zoom-in',
      captions: { burnIn: true },
      music: { bed: 'soft-pad' },
    },
  },
  {
    slug: 'narrated-16x9-titled',
    name: 'Narrated video with a title card, 16:9',
    description:
      'Script → offline narration → burned-in captions → 1080p landscape video that opens on the script’s title (and subtitle) over a dimmed picture.',
    pipeline: NARRATED_PIPELINE,
    defaults: {
      voicePreset: 'offline-en',
      videoPreset: 'landscape-1080p',
      visuals,
      motion: 'zoom-in',
      captions: { burnIn: true },
      titleCard: {
        durationMs: 3000,
        fadeOutMs: 700,
        font: 'dejavu-sans-bold',
        titleSize: 0.1,
        subtitleSize: 0.055,
        titleColor: '#FFFFFF',
        subtitleColor: '#E6E6E6',
        dim: 0.5,
      },
    },
  },
  {
    slug: 'from-brief-16x9',
    name: 'Written by Claude, narrated by Azure, 16:9',
    description:
      'Title + brief → Claude writes the script (prompt "script.writer") → Azure neural voice (offline if not configured) → 1080p video.',
    pipeline: FROM_BRIEF_PIPELINE,
    defaults: {
      voicePreset: 'azure-en-jenny',
      videoPreset: 'landscape-1080p',
      visuals,
      motion: 'zoom-in',
      captions: { burnIn: true },
    },
  },
];

export const SEED_PROMPTS = [
  {
    slug: 'script.writer',
    systemPrompt: [
      'You write narration scripts for short explainer videos made by Video Factory.',
      'Answer with the script only: markdown, no preamble, no code fences.',
      'Format: optional front matter with a title; each scene starts with a "# " heading; plain sentences',
      'a narrator reads aloud; stage directions in square brackets, only these: [pause], [pause 700ms],',
      '[cheerful], [calm], [serious], [excited], [sad], [default], [slow], [fast], [rate +10%], [pitch -5%].',
      'Never use square brackets for anything else. Keep sentences short enough to read as captions.',
      '{{knowledge}}',
    ].join('\n'),
    userTemplate: 'Title: {{title}}\n\nBrief:\n{{brief}}\n\nWrite the script.',
    model: 'claude-sonnet-5-5',
    maxTokens: 4000,
    temperature: null,
    kbTiers: ['house-style'],
  },
];

/**
 * Models the seeded prompts named in earlier releases, retired since: Claude answers them no more
 * (claude-sonnet-4-5 reached its end of life on 30 November 2026). A data folder whose prompt is still
 * that untouched seed gets a new version of it with today's model (seed.ts).
 */
export const RETIRED_SEED_MODELS: readonly string[] = ['claude-sonnet-4-5'];

export const SEED_KNOWLEDGE = [
  {
    slug: 'house-style',
    tier: 'house-style',
    title: 'House style',
    content:
      'Three to five scenes. Open with a one-sentence hook. Speak to the viewer as "you". End with a one-line summary.',
  },
];

export const SEED_VOICE_PRESETS: SeedRow<typeof voicePresets.$inferInsert>[] = [
  {
    slug: 'offline-en',
    name: 'Offline voice, English',
    provider: 'offline',
    voiceNames: { 'espeak-ng': 'en-us+f3', say: 'Samantha' },
    language: 'en-US',
    prosody: {},
    directionMap: DEFAULT_DIRECTION_MAPS.en,
  },
  {
    slug: 'offline-es',
    name: 'Voz offline, español',
    provider: 'offline',
    voiceNames: { 'espeak-ng': 'es-419', say: 'Paulina' },
    language: 'es-MX',
    prosody: {},
    directionMap: DEFAULT_DIRECTION_MAPS.es,
  },
  {
    slug: 'offline-pt',
    name: 'Voz offline, português',
    provider: 'offline',
    voiceNames: { 'espeak-ng': 'pt-br', say: 'Luciana' },
    language: 'pt-BR',
    prosody: {},
    directionMap: DEFAULT_DIRECTION_MAPS.pt,
  },
  {
    slug: 'azure-en-jenny',
    name: 'Azure neural, English (Jenny)',
    provider: 'azure',
    // The offline names are the fallback when Azure is not configured.
    voiceNames: { azure: 'en-US-JennyNeural', 'espeak-ng': 'en-us+f3', say: 'Samantha' },
    language: 'en-US',
    prosody: {},
    style: 'friendly',
    styleDegree: 1,
    directionMap: DEFAULT_DIRECTION_MAPS.en,
  },
  {
    slug: 'azure-es-dalia',
    name: 'Azure neural, español de México (Dalia)',
    provider: 'azure',
    voiceNames: { azure: 'es-MX-DaliaNeural', 'espeak-ng': 'es-419', say: 'Paulina' },
    language: 'es-MX',
    prosody: { rate: '-5%' },
    style: 'cheerful',
    styleDegree: 1.2,
    directionMap: DEFAULT_DIRECTION_MAPS.es,
  },
];

/**
 * What the platforms play at (YouTube: -14 LUFS integrated, -1 dBTP), and a music bed 14 LU under
 * the voice where nobody speaks, 10 dB lower while someone does.
 */
const mix = {
  loudness: { targetLufs: -14, truePeakDbtp: -1 },
  music: { levelDb: -14, duckDb: 10, attackMs: 20, releaseMs: 400, fadeInMs: 1500, fadeOutMs: 2500 },
};
const audio = { audioCodec: 'aac' as const, audioBitrate: '160k', audioSampleRate: 48000, ...mix };
const x264 = { crf: 21, speedPreset: 'veryfast' };

/**
 * One preset per place a video is published: the canvas, the caption look and the pace that platform
 * suits, and the longest video it takes. A landscape YouTube video has no limit but the plan's (6 h);
 * Shorts, Reels and TikTok, and square feed posts, are held to 60 s, the length all of them accept.
 * Older seeded presets keep cutting between scenes (the column's default) so their videos look as before.
 */
const PLATFORM_PRESETS: SeedRow<typeof videoPresets.$inferInsert>[] = [
  {
    slug: 'youtube-1080p',
    name: 'YouTube 16:9, 1920x1080',
    encoders: ['h264_videotoolbox', 'libx264'],
    width: 1920,
    height: 1080,
    fps: 30,
    bitrate: '8M',
    ...x264,
    pixelFormat: 'yuv420p',
    ...audio,
    captionStyle: 'clean',
    transition: 'crossfade 500ms',
    maxDurationSeconds: null,
  },
  {
    slug: 'shorts-vertical',
    name: 'Shorts / Reels / TikTok 9:16, 1080x1920',
    encoders: ['h264_videotoolbox', 'libx264'],
    width: 1080,
    height: 1920,
    fps: 30,
    bitrate: '8M',
    ...x264,
    pixelFormat: 'yuv420p',
    ...audio,
    captionStyle: 'bold-highlight',
    transition: 'crossfade 300ms',
    maxDurationSeconds: 60,
  },
  {
    slug: 'square-1080',
    name: 'Square 1:1, 1080x1080',
    encoders: ['h264_videotoolbox', 'libx264'],
    width: 1080,
    height: 1080,
    fps: 30,
    bitrate: '6M',
    ...x264,
    pixelFormat: 'yuv420p',
    ...audio,
    captionStyle: 'clean',
    transition: 'crossfade 400ms',
    maxDurationSeconds: 60,
  },
];

export const SEED_VIDEO_PRESETS: SeedRow<typeof videoPresets.$inferInsert>[] = [
  {
    slug: 'landscape-1080p',
    name: '1080p landscape (VideoToolbox, else x264)',
    encoders: ['h264_videotoolbox', 'libx264'],
    width: 1920,
    height: 1080,
    fps: 30,
    bitrate: '8M',
    ...x264,
    pixelFormat: 'yuv420p',
    ...audio,
  },
  {
    slug: 'portrait-1080p',
    name: '1080x1920 portrait (VideoToolbox, else x264)',
    encoders: ['h264_videotoolbox', 'libx264'],
    width: 1080,
    height: 1920,
    fps: 30,
    bitrate: '8M',
    ...x264,
    pixelFormat: 'yuv420p',
    ...audio,
  },
  {
    slug: 'landscape-1080p-videotoolbox',
    name: '1080p landscape, VideoToolbox H.264 only',
    encoders: ['h264_videotoolbox'],
    width: 1920,
    height: 1080,
    fps: 30,
    bitrate: '8M',
    crf: null,
    speedPreset: null,
    pixelFormat: 'yuv420p',
    ...audio,
  },
  {
    slug: 'landscape-1080p-x264',
    name: '1080p landscape, libx264 only',
    encoders: ['libx264'],
    width: 1920,
    height: 1080,
    fps: 30,
    bitrate: '8M',
    ...x264,
    pixelFormat: 'yuv420p',
    ...audio,
  },
  {
    slug: 'preview-360p',
    name: '640x360 quick preview',
    encoders: ['h264_videotoolbox', 'libx264'],
    width: 640,
    height: 360,
    fps: 25,
    bitrate: '1M',
    crf: 26,
    speedPreset: 'ultrafast',
    pixelFormat: 'yuv420p',
    audioCodec: 'aac',
    audioBitrate: '96k',
    audioSampleRate: 48000,
    ...mix,
  },
  ...PLATFORM_PRESETS,
];

/**
 * "clean" is the look captions had before styles: white bold DejaVu Sans, a black outline and a
 * half-transparent shadow, two lines at the bottom (at 1080p exactly the ASS style written before).
 * "bold-highlight" is for short vertical videos: big condensed capitals, the spoken word lit up.
 */
export const SEED_CAPTION_STYLES: CaptionStyle[] = [
  {
    slug: 'clean',
    name: 'Clean',
    font: 'dejavu-sans-bold',
    size: 56,
    textColour: '#FFFFFF',
    outlineColour: '#000000',
    outline: 3,
    // ASS alpha 0x80 (its old shadow), as an opacity.
    shadowColour: '#0000007F',
    shadow: 2,
    position: 'bottom',
    margin: 6,
    maxLines: 2,
    textCase: 'as-written',
    wordHighlight: 'none',
    highlightColour: '#FFD400',
  },
  {
    slug: 'bold-highlight',
    name: 'Bold, spoken word highlighted',
    font: 'dejavu-sans-condensed-bold',
    size: 72,
    textColour: '#FFFFFF',
    outlineColour: '#000000',
    outline: 5,
    shadowColour: '#00000000',
    shadow: 0,
    position: 'bottom',
    margin: 14,
    maxLines: 2,
    textCase: 'upper',
    wordHighlight: 'current-word',
    highlightColour: '#FFD400',
  },
];

/**
 * Installation settings (the `settings` table). `farm.segments`: a video on the farm is split into
 * segments encoded in parallel when every segment can last at least this long; each segment costs a
 * lease, an asset fetch and an encoder start-up (about a second), so shorter ones are not worth it.
 */
export const SEED_SETTINGS: Record<string, Json> = {
  'farm.segments': { minSegmentSeconds: 20 },
};

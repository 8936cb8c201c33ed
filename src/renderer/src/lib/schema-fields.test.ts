import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CaptionStyleSchema } from '../../../shared/caption-styles.ts';
import {
  type VideoPreset,
  VideoPresetSchema,
  type VoicePreset,
  VoicePresetSchema,
  X26X_PRESETS,
} from '../../../shared/presets.ts';
import {
  draftOf,
  formatHint,
  labelFromName,
  type SchemaField,
  schemaFields,
  valueFromDraft,
} from './schema-fields.ts';

const VIDEO: VideoPreset = {
  slug: 'preview-360p',
  name: 'Preview',
  encoders: ['h264_videotoolbox', 'libx264'],
  width: 640,
  height: 360,
  fps: 25,
  bitrate: '1M',
  crf: 28,
  speedPreset: null,
  pixelFormat: 'yuv420p',
  audioCodec: 'aac',
  audioBitrate: '128k',
  audioSampleRate: 48000,
  loudness: { targetLufs: -14, truePeakDbtp: -1 },
  music: { levelDb: -14, duckDb: 10, attackMs: 20, releaseMs: 400, fadeInMs: 1500, fadeOutMs: 2500 },
  captionStyle: 'clean',
  transition: 'crossfade 400ms',
  maxDurationSeconds: 60,
};

const VOICE: VoicePreset = {
  slug: 'narrator',
  name: 'Narrator',
  provider: 'offline',
  voiceNames: { 'espeak-ng': 'en-us+f3', say: 'Samantha' },
  language: 'en-US',
  prosody: { rate: '+10%' },
  style: null,
  styleDegree: 1.5,
  role: null,
  directionMap: { calm: { rate: '-5%' }, pause: { ms: 300 } },
};

const kinds = (fields: SchemaField[]) => Object.fromEntries(fields.map((f) => [f.path, [f.kind, f.empty]]));

/** The value saved when every input is left as it was opened. */
function unchanged(schema: z.ZodObject, loaded: object) {
  const fields = schemaFields(schema, ['slug']);
  return valueFromDraft(fields, draftOf(fields, loaded), loaded);
}

/** The value saved after typing `edits` into the inputs of `loaded`. */
function edited(schema: z.ZodObject, loaded: object, edits: Record<string, string>) {
  const fields = schemaFields(schema, ['slug']);
  return valueFromDraft(fields, { ...draftOf(fields, loaded), ...edits }, loaded);
}

describe('schema fields', () => {
  it('reads each video preset field’s input from its schema', () => {
    const fields = schemaFields(VideoPresetSchema, ['slug']);
    expect(kinds(fields)).toEqual({
      slug: ['kept', 'required'],
      name: ['text', 'required'],
      encoders: ['list', 'required'],
      width: ['number', 'required'],
      height: ['number', 'required'],
      fps: ['number', 'required'],
      bitrate: ['text', 'required'],
      crf: ['number', 'null'],
      speedPreset: ['choice', 'null'],
      pixelFormat: ['choice', 'required'],
      audioCodec: ['kept', 'required'],
      audioBitrate: ['text', 'required'],
      audioSampleRate: ['number', 'required'],
      captionStyle: ['text', 'omit'],
      'loudness.targetLufs': ['number', 'required'],
      'loudness.truePeakDbtp': ['number', 'required'],
      'music.levelDb': ['number', 'required'],
      'music.duckDb': ['number', 'required'],
      'music.attackMs': ['number', 'required'],
      'music.releaseMs': ['number', 'required'],
      'music.fadeInMs': ['number', 'required'],
      'music.fadeOutMs': ['number', 'required'],
      transition: ['text', 'omit'],
      maxDurationSeconds: ['number', 'null'],
    });
    expect(fields.find((f) => f.path === 'pixelFormat')).toMatchObject({ options: ['yuv420p', 'nv12'] });
    // The encoder's own presets: a word ffmpeg does not know failed the encode after the narration.
    expect(fields.find((f) => f.path === 'speedPreset')).toMatchObject({ options: [...X26X_PRESETS] });
    expect(fields.find((f) => f.path === 'crf')).toMatchObject({ integer: true });
  });

  it('reads each caption style field’s input from its schema', () => {
    const fields = schemaFields(CaptionStyleSchema, ['slug']);
    expect(kinds(fields)).toEqual({
      slug: ['kept', 'required'],
      name: ['text', 'required'],
      font: ['choice', 'required'],
      size: ['number', 'required'],
      textColour: ['text', 'required'],
      outlineColour: ['text', 'required'],
      outline: ['number', 'required'],
      shadowColour: ['text', 'required'],
      shadow: ['number', 'required'],
      position: ['choice', 'required'],
      margin: ['number', 'required'],
      maxLines: ['number', 'required'],
      textCase: ['choice', 'required'],
      wordHighlight: ['choice', 'required'],
      highlightColour: ['text', 'required'],
    });
    expect(fields.find((f) => f.path === 'font')).toMatchObject({
      options: ['dejavu-sans-bold', 'dejavu-sans-condensed-bold'],
    });
    expect(fields.find((f) => f.path === 'size')).toMatchObject({ integer: true });
    expect(fields.find((f) => f.path === 'outline')).toMatchObject({ integer: false });
  });

  it('gives a nested object one input per field, and anything unknown a JSON input', () => {
    const fields = schemaFields(VoicePresetSchema, ['slug']);
    expect(kinds(fields)).toEqual({
      slug: ['kept', 'required'],
      name: ['text', 'required'],
      provider: ['choice', 'required'],
      voiceNames: ['pairs', 'required'],
      language: ['text', 'required'],
      'prosody.rate': ['text', 'omit'],
      'prosody.pitch': ['text', 'omit'],
      style: ['text', 'null'],
      styleDegree: ['number', 'null'],
      role: ['text', 'null'],
      directionMap: ['json', 'required'],
    });
    expect(fields.find((f) => f.path === 'styleDegree')).toMatchObject({ integer: false });
  });

  it('saves an unchanged preset exactly as it was loaded', () => {
    expect(unchanged(VideoPresetSchema, VIDEO)).toEqual({ ok: true, value: VIDEO });
    expect(unchanged(VoicePresetSchema, VOICE)).toEqual({ ok: true, value: VOICE });
    const draft = draftOf(schemaFields(VoicePresetSchema), VOICE);
    expect(draft.voiceNames).toBe('espeak-ng = en-us+f3\nsay = Samantha');
    expect(draft['prosody.pitch']).toBe('');
    expect(JSON.parse(draft.directionMap ?? '')).toEqual(VOICE.directionMap);
  });

  it('turns typed text into values: empty is null or left out, bad numbers go as typed for the node to name', () => {
    const video = edited(VideoPresetSchema, VIDEO, {
      crf: ' ',
      width: '4x',
      speedPreset: 'veryfast',
      encoders: 'libx264, h264_videotoolbox ,',
      pixelFormat: 'nv12',
    });
    expect(video).toEqual({
      ok: true,
      value: {
        ...VIDEO,
        crf: null,
        width: '4x',
        speedPreset: 'veryfast',
        encoders: ['libx264', 'h264_videotoolbox'],
        pixelFormat: 'nv12',
      },
    });
    const voice = edited(VoicePresetSchema, VOICE, {
      'prosody.rate': '',
      styleDegree: '',
      style: 'cheerful',
    });
    expect(voice).toEqual({
      ok: true,
      value: { ...VOICE, prosody: {}, styleDegree: null, style: 'cheerful' },
    });
  });

  it('refuses JSON that does not parse, naming its field', () => {
    const result = edited(VoicePresetSchema, VOICE, { directionMap: '{ "calm": ' });
    expect(result).toMatchObject({ ok: false, issues: [{ field: 'directionMap' }] });
    expect(result.ok ? '' : result.issues[0]?.message).toMatch(/^not valid JSON: /);
  });

  it('takes a field added to a preset schema with no change here', () => {
    const extended = VideoPresetSchema.extend({
      tonemap: z.boolean(),
      maxBitrate: z.string().nullable(),
      tags: z.array(z.string()).optional(),
      colour: z.enum(['bt709', 'bt2020']).nullable(),
      loudness: z.strictObject({ target: z.number(), range: z.number().int().default(7) }),
    });
    const fields = schemaFields(extended, ['slug']);
    expect(kinds(fields)).toMatchObject({
      tonemap: ['boolean', 'required'],
      maxBitrate: ['text', 'null'],
      tags: ['list', 'omit'],
      colour: ['choice', 'null'],
      'loudness.target': ['number', 'required'],
      'loudness.range': ['number', 'omit'],
    });
    const loaded = { ...VIDEO, tonemap: true, maxBitrate: null, colour: 'bt709', loudness: { target: -16 } };
    const saved = edited(extended, loaded, { tags: 'web, short', 'loudness.range': '11', colour: '' });
    expect(saved).toEqual({
      ok: true,
      value: { ...loaded, tags: ['web', 'short'], colour: null, loudness: { target: -16, range: 11 } },
    });
    expect(extended.safeParse(saved.ok ? saved.value : null).success).toBe(true);
  });

  it('labels a field from its name and hints at how to type it', () => {
    expect(labelFromName('audioSampleRate')).toBe('Audio sample rate');
    expect(labelFromName('prosody.pitch')).toBe('Pitch');
    expect(labelFromName('name')).toBe('Name');
    const hint = (path: string, schema: z.ZodObject = VoicePresetSchema) =>
      formatHint(schemaFields(schema).find((f) => f.path === path) as SchemaField);
    expect(hint('style')).toBe('empty for none');
    expect(hint('voiceNames')).toBe('one “key = value” per line');
    expect(hint('directionMap')).toBe('JSON');
    expect(hint('name')).toBeUndefined();
    expect(hint('tags', z.object({ tags: z.array(z.string()).nullable() }))).toBe(
      'comma-separated; empty for none',
    );
  });
});

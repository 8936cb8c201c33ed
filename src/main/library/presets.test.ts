import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { videoPresets, voicePresets } from '../db/schema.ts';
import { resolveSettings } from '../engine/settings-resolver.ts';
import { DEFAULT_DIRECTION_MAPS } from '../script/index.ts';
import { fieldsOf, libraryErrorOf, tempDatabasePerTest } from './library.fixture.ts';
import type { VideoPresetInput, VoicePresetInput } from './preset-schemas.ts';
import {
  getVideoPreset,
  getVoicePreset,
  listVideoPresets,
  listVoicePresets,
  saveVideoPreset,
  saveVoicePreset,
} from './presets.ts';

const t = tempDatabasePerTest();
const input = { kind: 'script' as const, scriptPath: '/s.md', outputPath: '/s.mp4' };
const LONG_AGO = '2000-01-01T00:00:00.000Z';

const voice: VoicePresetInput = {
  slug: 'narrator-pt',
  name: 'Narrador',
  provider: 'azure',
  voiceNames: { azure: 'pt-BR-AntonioNeural', 'espeak-ng': 'pt-br' },
  language: 'pt-BR',
  prosody: { rate: '-10%', pitch: '-2st' },
  style: 'calm',
  styleDegree: 1.5,
  role: 'OlderAdultMale',
  directionMap: DEFAULT_DIRECTION_MAPS.pt,
};

const video: VideoPresetInput = {
  slug: 'square-720',
  name: 'Square 720',
  encoders: ['libx264'],
  width: 720,
  height: 720,
  fps: 24,
  bitrate: '4M',
  crf: 23,
  speedPreset: 'fast',
  pixelFormat: 'nv12',
  audioCodec: 'aac',
  audioBitrate: '128k',
  audioSampleRate: 44100,
  loudness: { targetLufs: -16, truePeakDbtp: -1.5 },
  music: { levelDb: -18, duckDb: 8, attackMs: 30, releaseMs: 600, fadeInMs: 1000, fadeOutMs: 2000 },
};

describe('voice presets', () => {
  it('accepts every seeded preset unchanged (the rules match what ships)', () => {
    for (const { id: _id, updatedAt: _updated, ...seeded } of listVoicePresets(t.db)) {
      expect(saveVoicePreset(t.db, seeded as VoicePresetInput)).toMatchObject(seeded);
    }
  });

  it('creates a preset, then updates it by slug and bumps updated_at', () => {
    const created = saveVoicePreset(t.db, voice);
    expect(created).toMatchObject({ ...voice, directionMap: DEFAULT_DIRECTION_MAPS.pt });
    t.db.update(voicePresets).set({ updatedAt: LONG_AGO }).where(eq(voicePresets.slug, voice.slug)).run();
    const updated = saveVoicePreset(t.db, { ...voice, name: 'Renamed', style: null, styleDegree: null });
    expect(updated).toMatchObject({ id: created.id, name: 'Renamed', style: null, styleDegree: null });
    expect(updated.updatedAt > LONG_AGO).toBe(true);
    expect(getVoicePreset(t.db, voice.slug)).toEqual(updated);
  });

  it('defaults prosody to {} and style, degree and role to null', () => {
    const { prosody: _p, style: _s, styleDegree: _d, role: _r, ...minimal } = voice;
    expect(saveVoicePreset(t.db, minimal)).toMatchObject({
      prosody: {},
      style: null,
      styleDegree: null,
      role: null,
    });
  });

  it('saved changes reach the job settings', () => {
    saveVoicePreset(t.db, { ...voice, slug: 'offline-en', language: 'en-GB' });
    expect(resolveSettings(t.db, { recipe: 'narrated-16x9', input }).voice.language).toBe('en-GB');
  });

  it('says which preset is unknown', () => {
    const error = libraryErrorOf(() => getVoicePreset(t.db, 'nobody'));
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('"nobody"');
  });

  it.each([
    ['slug', { slug: 'two words' }],
    ['name', { name: '' }],
    // Found by attacking the Library: these were saved, and shown as they are in every list.
    ['name', { name: 'a\u0000b\nc' }],
    ['name', { name: 'evil\u202Egnp.exe' }],
    ['name', { name: '\u200B\u200B' }],
    ['provider', { provider: 'google' }],
    ['voiceNames', { voiceNames: {} }],
    ['voiceNames.say', { voiceNames: { say: ' ' } }],
    ['language', { language: 'english' }],
    ['prosody.rate', { prosody: { rate: '+200%' } }],
    ['prosody.rate', { prosody: { rate: 'fast' } }],
    ['prosody.pitch', { prosody: { pitch: '+13st' } }],
    ['style', { style: 'very calm' }],
    ['styleDegree', { styleDegree: 0 }],
    ['styleDegree', { styleDegree: 2.5 }],
    ['styleDegree', { style: null, styleDegree: 1 }],
    ['role', { role: 'Young Adult' }],
    ['directionMap', { directionMap: { pause: { kind: 'pause', defaultMs: 0 } } }],
    ['directionMap', { directionMap: 'not a map' }],
  ])('rejects a bad %s', (field, change) => {
    expect(fieldsOf(() => saveVoicePreset(t.db, { ...voice, ...change } as VoicePresetInput))).toEqual([
      field,
    ]);
    expect(() => getVoicePreset(t.db, voice.slug)).toThrow(/unknown voice preset/);
  });

  it('names the direction-map word at fault', () => {
    const error = libraryErrorOf(() =>
      saveVoicePreset(t.db, { ...voice, directionMap: { calma: { kind: 'style', style: 'x y' } } }),
    );
    expect(error.message).toContain('directionMap: calma.style');
  });
});

describe('video presets', () => {
  it('accepts every seeded preset unchanged', () => {
    for (const { id: _id, updatedAt: _updated, ...seeded } of listVideoPresets(t.db)) {
      expect(saveVideoPreset(t.db, seeded as VideoPresetInput)).toMatchObject(seeded);
    }
  });

  it('creates, updates by slug with a bumped updated_at, and feeds the job settings', () => {
    const created = saveVideoPreset(t.db, video);
    expect(created).toMatchObject(video);
    t.db.update(videoPresets).set({ updatedAt: LONG_AGO }).where(eq(videoPresets.slug, video.slug)).run();
    const updated = saveVideoPreset(t.db, { ...video, crf: null, speedPreset: null });
    expect(updated).toMatchObject({ id: created.id, crf: null, speedPreset: null });
    expect(updated.updatedAt > LONG_AGO).toBe(true);

    saveVideoPreset(t.db, { ...video, slug: 'landscape-1080p', width: 1280, height: 720 });
    expect(resolveSettings(t.db, { recipe: 'narrated-16x9', input }).video).toMatchObject({
      width: 1280,
      height: 720,
    });
    expect(libraryErrorOf(() => getVideoPreset(t.db, 'nope')).kind).toBe('not-found');
  });

  it.each([
    ['slug', { slug: 'Bad Slug' }],
    ['encoders', { encoders: [] }],
    ['encoders.0', { encoders: ['H264!'] }],
    ['width', { width: 1921 }],
    ['width', { width: 8 }],
    ['height', { height: 7682 }],
    ['height', { height: 720.5 }],
    ['fps', { fps: 0 }],
    ['fps', { fps: 121 }],
    ['bitrate', { bitrate: '8 Mbps' }],
    ['crf', { crf: 52 }],
    ['crf', { crf: -1 }],
    ['speedPreset', { speedPreset: 'Very Fast' }],
    // Found by attacking the Library: both saved, and ffmpeg refused them after the narration.
    ['speedPreset', { speedPreset: 'zzz' }],
    ['bitrate', { bitrate: '99999999999999999999M' }],
    ['bitrate', { bitrate: '501M' }],
    ['pixelFormat', { pixelFormat: 'yuv444p' }],
    ['audioCodec', { audioCodec: 'mp3' }],
    ['audioBitrate', { audioBitrate: '160' }],
    // Found by attacking the Library: saved, and ffmpeg quietly chose a rate of its own.
    ['audioBitrate', { audioBitrate: '0k' }],
    ['audioBitrate', { audioBitrate: '99999999999k' }],
    ['audioSampleRate', { audioSampleRate: 4000 }],
    ['audioSampleRate', { audioSampleRate: 192000 }],
    ['loudness.targetLufs', { loudness: { targetLufs: 3, truePeakDbtp: -1 } }],
    ['loudness.truePeakDbtp', { loudness: { targetLufs: -14, truePeakDbtp: 2 } }],
    ['music.duckDb', { music: { ...video.music, duckDb: -3 } }],
    ['music.attackMs', { music: { ...video.music, attackMs: 0 } }],
    ['music.releaseMs', { music: { ...video.music, releaseMs: 'slow' } }],
    ['music.levelDb', { music: { ...video.music, levelDb: 6 } }],
    ['transition', { transition: 'wipe 1s' }],
    ['transition', { transition: 'crossfade' }],
    ['transition', { transition: 'fade 30s' }],
    ['maxDurationSeconds', { maxDurationSeconds: 0 }],
    ['maxDurationSeconds', { maxDurationSeconds: 59.5 }],
    ['maxDurationSeconds', { maxDurationSeconds: 6 * 60 * 60 + 1 }],
  ])('rejects a bad %s', (field, change) => {
    const error = libraryErrorOf(() => saveVideoPreset(t.db, { ...video, ...change } as VideoPresetInput));
    expect(error.issues.map((i) => i.field)).toEqual([field]);
    expect(error.message).toContain(`video preset "${{ ...video, ...change }.slug}"`);
    expect(() => getVideoPreset(t.db, video.slug)).toThrow(/unknown video preset/);
  });

  it('seeds the platform presets: canvas, loudness, caption style, transition and longest video', () => {
    const platform = (slug: string) => {
      const { width, height, loudness, captionStyle, transition, maxDurationSeconds } = getVideoPreset(
        t.db,
        slug,
      );
      return { width, height, loudness, captionStyle, transition, maxDurationSeconds };
    };
    const loudness = { targetLufs: -14, truePeakDbtp: -1 };
    expect(platform('youtube-1080p')).toEqual({
      width: 1920,
      height: 1080,
      loudness,
      captionStyle: 'clean',
      transition: 'crossfade 500ms',
      maxDurationSeconds: null,
    });
    expect(platform('shorts-vertical')).toEqual({
      width: 1080,
      height: 1920,
      loudness,
      captionStyle: 'bold-highlight',
      transition: 'crossfade 300ms',
      maxDurationSeconds: 60,
    });
    expect(platform('square-1080')).toEqual({
      width: 1080,
      height: 1080,
      loudness,
      captionStyle: 'clean',
      transition: 'crossfade 400ms',
      maxDurationSeconds: 60,
    });
    // The presets made before keep cutting, with no limit: their videos look as they did.
    expect(platform('landscape-1080p')).toMatchObject({ transition: 'cut', maxDurationSeconds: null });
  });

  it('saves a transition and a longest video, and a preset that names neither gets a cut and no limit', () => {
    expect(
      saveVideoPreset(t.db, { ...video, transition: 'fade 0.5s', maxDurationSeconds: 90 }),
    ).toMatchObject({
      transition: 'fade 0.5s',
      maxDurationSeconds: 90,
    });
    expect(saveVideoPreset(t.db, { ...video, slug: 'plain' })).toMatchObject({
      transition: 'cut',
      maxDurationSeconds: null,
    });
    const error = libraryErrorOf(() => saveVideoPreset(t.db, { ...video, transition: 'crossfade 6s' }));
    expect(error.issues).toEqual([
      expect.objectContaining({ field: 'transition', message: 'a crossfade lasts 10ms..5s, got 6000ms' }),
    ]);
  });

  it('lists every problem at once', () => {
    const bad = { ...video, width: 1, fps: 500, pixelFormat: 'rgb' } as unknown as VideoPresetInput;
    expect(fieldsOf(() => saveVideoPreset(t.db, bad))).toEqual(['width', 'fps', 'pixelFormat']);
  });
});

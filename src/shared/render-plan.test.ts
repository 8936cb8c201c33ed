import { describe, expect, it } from 'vitest';
import { type RenderPlan, validateRenderPlan } from './render-plan.ts';
import { DEFAULT_TITLE_LOOK } from './title-card.ts';

const SHA = 'a'.repeat(64);

const LOOK = DEFAULT_TITLE_LOOK;

const MIX = { duckDb: 10, attackMs: 20, releaseMs: 400, fadeInMs: 500, fadeOutMs: 500 };

function plan(overrides: Partial<RenderPlan> = {}): RenderPlan {
  return {
    version: 1,
    id: 'job-1',
    title: 'Test',
    output: {
      container: 'mp4',
      width: 1920,
      height: 1080,
      fps: 30,
      videoCodec: 'h264',
      encoders: ['h264_videotoolbox', 'libx264'],
      bitrate: '8M',
      crf: 21,
      speedPreset: 'veryfast',
      pixelFormat: 'yuv420p',
      audioCodec: 'aac',
      audioBitrate: '160k',
      audioSampleRate: 48000,
    },
    durationMs: 3000,
    assets: {
      narration: { sha256: SHA, size: 10, kind: 'audio', name: 'narration.wav' },
      still: { sha256: SHA, size: 10, kind: 'image', name: 'still.png' },
      music: { sha256: SHA, size: 10, kind: 'audio', name: 'music.m4a' },
    },
    scenes: [
      { startMs: 0, durationMs: 1000, visual: { kind: 'image', asset: 'still', motion: 'zoom-in' } },
      { startMs: 1000, durationMs: 2000, visual: { kind: 'color', color: '#102030' } },
    ],
    audio: {
      narration: 'narration',
      music: { ...MIX, spans: [{ asset: 'music', startMs: 500, durationMs: 2500, gainDb: -6 }] },
      loudness: { targetLufs: -14, truePeakDbtp: -1, gainDb: 5.5, limitDbtp: -1.5 },
    },
    ...overrides,
  };
}

describe('validateRenderPlan', () => {
  it('accepts a well-formed plan with music ducked under the narration', () => {
    expect(validateRenderPlan(plan())).toEqual({ ok: true, plan: plan() });
  });

  it.each([
    ['an odd width', { output: { ...plan().output, width: 1919 } }, /output.width: dimensions must be even/],
    ['an absurd size', { output: { ...plan().output, width: 100_000 } }, /output.width/],
    ['an absurd frame rate', { output: { ...plan().output, fps: 1000 } }, /output.fps/],
    [
      'a scene gap',
      { scenes: [plan().scenes[0], { ...plan().scenes[1], startMs: 1500 }] as RenderPlan['scenes'] },
      /contiguous/,
    ],
    ['a wrong total', { durationMs: 9000 }, /add up to durationMs/],
    ['a duration of days', { durationMs: 10 * 24 * 3600 * 1000 }, /durationMs/],
    ['an unknown asset', { audio: { narration: 'nope' } }, /unknown asset "nope"/],
    [
      'a path as asset name',
      {
        assets: {
          ...plan().assets,
          still: { sha256: SHA, size: 1, kind: 'image', name: '../../etc/passwd' },
        },
      },
      /bare file name/,
    ],
    [
      'a bad checksum',
      { assets: { ...plan().assets, still: { sha256: 'xyz', size: 1, kind: 'image', name: 'a.png' } } },
      /sha256/,
    ],
    [
      'music spans that overlap',
      {
        audio: {
          narration: 'narration',
          music: {
            ...MIX,
            spans: [
              { asset: 'music', startMs: 0, durationMs: 2000, gainDb: 0 },
              { asset: 'music', startMs: 1500, durationMs: 1000, gainDb: 0 },
            ],
          },
        },
      },
      /audio.music.spans.1: music spans must be in order, apart/,
    ],
    [
      'music past the end of the video',
      {
        audio: {
          narration: 'narration',
          music: { ...MIX, spans: [{ asset: 'music', startMs: 2000, durationMs: 2000, gainDb: 0 }] },
        },
      },
      /music span ends after the video/,
    ],
    [
      'an absurd mix gain',
      {
        audio: {
          narration: 'narration',
          loudness: { targetLufs: -14, truePeakDbtp: -1, gainDb: 200, limitDbtp: null },
        },
      },
      /audio.loudness.gainDb/,
    ],
    [
      'a title card in a font it does not carry',
      { titleCard: { text: { title: 'T' }, font: 'ghost', look: LOOK, durationMs: 2000, fadeOutMs: 500 } },
      /titleCard.font: unknown asset "ghost"/,
    ],
    [
      'a title card of a minute',
      {
        titleCard: { text: { title: 'T' }, font: 'narration', look: LOOK, durationMs: 60_000, fadeOutMs: 0 },
      },
      /titleCard.durationMs/,
    ],
    [
      'a thumbnail image it does not carry',
      { thumbnail: { image: 'cover', font: 'narration', look: LOOK } },
      /thumbnail.image: unknown asset "cover"/,
    ],
    ['an unknown field', { extra: true } as unknown as Partial<RenderPlan>, /Unrecognized key/],
    ['another version', { version: 2 } as unknown as Partial<RenderPlan>, /version/],
  ])('rejects %s', (_name, overrides, message) => {
    const result = validateRenderPlan(plan(overrides as Partial<RenderPlan>));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toMatch(message);
  });

  it('accepts a segment inside the video (90 frames here), and refuses one that is not', () => {
    const segment = { index: 1, count: 2, startFrame: 40, frameCount: 50 };
    expect(validateRenderPlan(plan({ segment })).ok).toBe(true);
    const refused = (s: typeof segment) => {
      const result = validateRenderPlan(plan({ segment: s }));
      return result.ok ? [] : result.errors;
    };
    expect(refused({ ...segment, frameCount: 51 })).toEqual([
      'segment: segment frames are past the end of the video',
    ]);
    expect(refused({ ...segment, index: 2 })).toEqual(['segment: segment index must be below count']);
    expect(refused({ ...segment, frameCount: 0 })[0]).toMatch(/^segment.frameCount/);
    expect(refused({ ...segment, count: 1, index: 0 })[0]).toMatch(/^segment.count/);
  });

  it('carries a timed transition, and refuses a cut (no transition is written as none) or a bad duration', () => {
    expect(validateRenderPlan(plan({ transition: { kind: 'crossfade', durationMs: 800 } })).ok).toBe(true);
    const errors = (transition: unknown) => {
      const result = validateRenderPlan({ ...plan(), transition });
      return result.ok ? [] : result.errors.map((e) => e.split(':')[0]);
    };
    expect(errors({ kind: 'cut', durationMs: 800 })).toEqual(['transition.kind']);
    expect(errors({ kind: 'fade', durationMs: 0 })).toEqual(['transition.durationMs']);
    expect(errors({ kind: 'fade', durationMs: 60_000 })).toEqual(['transition.durationMs']);
    expect(errors({ kind: 'fade' })).toEqual(['transition.durationMs']);
  });

  it('rejects things that are not plans at all', () => {
    for (const input of [null, 42, 'plan', [], {}]) expect(validateRenderPlan(input).ok).toBe(false);
  });
});

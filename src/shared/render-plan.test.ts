import { describe, expect, it } from 'vitest';
import { SAMPLE_MIX, SAMPLE_SHA, samplePlan } from './render-plan.fixture.ts';
import { type RenderPlan, validateRenderPlan } from './render-plan.ts';
import { DEFAULT_TITLE_LOOK } from './title-card.ts';

const SHA = SAMPLE_SHA;

const LOOK = DEFAULT_TITLE_LOOK;

const MIX = SAMPLE_MIX;

const plan = samplePlan;

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

/**
 * Loudness normalization with real ffmpeg: planLoudness measures a mix and finds the gain (and, for
 * peaky sound, the limiter) that brings it to the target; the encode applies it and its verify step
 * measures the result and refuses a video outside ±1 LU.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { runEncode } from './encode-job.ts';
import { isFfmpegError } from './errors.ts';
import {
  measureFileLoudness,
  measureMixLoudness,
  mixesToStereo,
  parseEbur128Summary,
  planLoudness,
} from './loudness.ts';
import { asset, FFMPEG, FFPROBE, makeTempDir, tinyPlan } from './test-fixtures.ts';

const temp = makeTempDir('vf-loudness-');
const paths: Record<string, string> = {};

function wav(name: string, expression: string, seconds: number): string {
  const path = join(temp.dir, name);
  execFileSync(FFMPEG, [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'lavfi'],
    ...['-i', `aevalsrc='${expression}':s=22050:d=${seconds}`, path],
  ]);
  return path;
}

const planOf = (narration: string): RenderPlan =>
  tinyPlan({
    durationMs: 4000,
    assets: { [narration]: asset('audio', `${narration}.wav`) },
    scenes: [{ startMs: 0, durationMs: 4000, visual: { kind: 'color', color: '#000000' } }],
    audio: { narration },
  });

/** The loudness plan for a mix that is not silent. */
async function loudnessOf(plan: RenderPlan, target: { targetLufs: number; truePeakDbtp: number }) {
  const loudness = await planLoudness(FFMPEG, plan, paths, target);
  if (!loudness) throw new Error('the mix is silent');
  return loudness;
}

const encode = (plan: RenderPlan, name: string) =>
  runEncode({
    ffmpegPath: FFMPEG,
    ffprobePath: FFPROBE,
    plan,
    assetPaths: { [plan.audio.narration]: paths[plan.audio.narration] as string },
    outPath: join(temp.dir, name),
    encoder: 'libx264',
  });

beforeAll(() => {
  // A quiet, steady voice-like tone (about -33 LUFS): only needs a gain.
  paths.quiet = wav('quiet.wav', '0.02*sin(2*PI*300*t)+0.01*sin(2*PI*900*t)', 4);
  // A steady tone with a loud, smooth 50 ms burst every second: lifted to the target, its peaks need
  // the limiter.
  paths.peaky = wav(
    'peaky.wav',
    '0.05*sin(2*PI*440*t)+lt(mod(t,1),0.05)*0.9*pow(sin(PI*mod(t,1)/0.05),2)*sin(2*PI*1000*t)',
    4,
  );
});
afterAll(() => temp.cleanup());

describe('parseEbur128Summary', () => {
  it('reads the summary, silence included, and nothing else', () => {
    const summary = [
      '[Parsed_ebur128_0 @ 0x1] t: 0.1 TARGET:-23 LUFS M:-120.7 S:-120.7 I: -12.0 LUFS LRA: 0.0 LU',
      '[Parsed_ebur128_0 @ 0x1] Summary:',
      '  Integrated loudness:',
      '    I:         -70.0 LUFS',
      '    Threshold:   0.0 LUFS',
      '  Loudness range:',
      '    LRA:         0.0 LU',
      '  True peak:',
      '    Peak:       -inf dBFS',
    ].join('\n');
    expect(parseEbur128Summary(summary)).toEqual({
      integratedLufs: -70,
      truePeakDbtp: Number.NEGATIVE_INFINITY,
      rangeLu: 0,
    });
    expect(parseEbur128Summary('no summary here')).toBeNull();
  });
});

describe('planLoudness', () => {
  it('leaves silence as it is: there is no loudness to bring anywhere', async () => {
    paths.silent = wav('silent.wav', '0', 2);
    expect(
      await planLoudness(FFMPEG, planOf('silent'), paths, { targetLufs: -14, truePeakDbtp: -1 }),
    ).toBeNull();
  });

  it('gains a quiet mix to the target, and the encode verifies it within 1 LU', async () => {
    for (const targetLufs of [-14, -23]) {
      const plan = planOf('quiet');
      plan.audio.loudness = await loudnessOf(plan, { targetLufs, truePeakDbtp: -1 });
      expect(plan.audio.loudness).toMatchObject({ targetLufs, limitDbtp: null });
      const result = await encode(plan, `quiet${targetLufs}.mp4`);
      const measured = result.facts.loudness?.integratedLufs as number;
      expect(Math.abs(measured - targetLufs)).toBeLessThanOrEqual(1);
      // The verify step's figure is what ebur128 says of the file.
      const again = await measureFileLoudness(FFMPEG, result.outPath);
      expect(again.integratedLufs).toBeCloseTo(measured, 5);
    }
  });

  it('limits the true peaks of a peaky mix under the ceiling and still meets the target', async () => {
    // The seeded presets' audio (AAC at 160k, 48 kHz): lower bit rates add their own overshoot to peaks.
    const base = planOf('peaky');
    const plan: RenderPlan = {
      ...base,
      output: { ...base.output, audioSampleRate: 48_000, audioBitrate: '160k' },
    };
    const loudness = await loudnessOf(plan, { targetLufs: -14, truePeakDbtp: -1 });
    plan.audio.loudness = loudness;
    expect(loudness.limitDbtp).not.toBeNull();
    const result = await encode(plan, 'peaky.mp4');
    const measured = result.facts.loudness;
    expect(Math.abs((measured?.integratedLufs ?? 0) - -14)).toBeLessThanOrEqual(1);
    expect(measured?.truePeakDbtp).toBeLessThanOrEqual(-1);
    // Without the limiter the same gain would put the peaks over the ceiling: measured on the mix as the
    // encoder takes it in (peaks over 0 dBFS are for the limiter to hold, not for the AAC encoder, which
    // mangles them: its output's loudness then depends on the coder).
    const unlimited: RenderPlan = {
      ...plan,
      audio: { ...plan.audio, loudness: { ...loudness, limitDbtp: null } },
    };
    const loud = await measureMixLoudness(FFMPEG, unlimited, paths);
    expect(loud.truePeakDbtp).toBeGreaterThan(-1);
  });

  it('a video off its target by more than 1 LU fails the verify step, and none is left behind', async () => {
    const plan = planOf('quiet');
    const right = await loudnessOf(plan, { targetLufs: -14, truePeakDbtp: -1 });
    plan.audio.loudness = { ...right, gainDb: right.gainDb - 3 };
    const error = await encode(plan, 'off-target.mp4').catch((e: unknown) => e);
    expect(isFfmpegError(error, 'verify-failed')).toBe(true);
    expect(String(error)).toMatch(/its loudness is -1[67]\.\d LUFS, expected -14 ±1 LU/);
    expect(readdirSync(temp.dir).filter((name) => name.startsWith('off-target'))).toEqual([]);
  });
});

// Found by attacking the probe cache: a mix trial stopped on a busy Mac was taken (and cached) for
// good as "the mix cannot make stereo of it".
describe('trying the mix on music', () => {
  it('says a trial that was stopped is no answer', async () => {
    const stopped = join(temp.dir, 'stopped-ffmpeg');
    writeFileSync(stopped, '#!/bin/sh\nkill -9 $$\n', { mode: 0o755 });
    const music = wav('music.wav', 'sin(440*2*PI*t)', 0.5);
    await expect(mixesToStereo(stopped, music)).rejects.toThrow(/did not finish/);
    expect(await mixesToStereo(FFMPEG, music)).toBe(true);
  });
});

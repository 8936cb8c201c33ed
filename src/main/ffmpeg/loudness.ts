/**
 * Loudness, measured the way platforms measure it (EBU R128 / ITU BS.1770 with ffmpeg's ebur128
 * filter): integrated loudness in LUFS, true peak in dBTP (4x oversampled), loudness range in LU.
 * The plan step measures the mix to find the gain that brings it to the preset's target (and whether
 * a true-peak limiter is needed); the verify step measures the finished video.
 */
import type { Loudness } from '../../shared/presets.ts';
import type { LoudnessPlan, RenderPlan } from '../../shared/render-plan.ts';
import { audioGraph, audioInputArgs, audioInputSpecs } from './audio-graph.ts';
import { FfmpegError } from './errors.ts';
import { captureOutput } from './exec.ts';
import { mediaInput } from './media-input.ts';

export interface LoudnessFacts {
  integratedLufs: number;
  truePeakDbtp: number;
  rangeLu: number;
}

/** ebur128's own floor: what it reports for silence. */
export const SILENCE_LUFS = -70;
/** The limiter holds peaks this far under the ceiling: AAC encoding lifts true peaks a little. */
const CEILING_MARGIN_DB = 0.5;
/** A gain past this is not a level to fix but a broken input (near-silence): it is clamped. */
const MAX_GAIN_DB = 40;
/** framelog=verbose: the per-100-ms lines are logged only at verbose level, the summary at info. */
const EBUR128 = 'ebur128=peak=true:framelog=verbose';
/** Integrated loudness only: true peak oversamples 4x, a third of a measuring pass's time. */
const EBUR128_NO_PEAK = 'ebur128=peak=none:framelog=verbose';

/**
 * The summary ebur128 prints at the end; null when it printed none. `peakless`: measured without
 * true peak (EBUR128_NO_PEAK), whose truePeakDbtp is then NaN.
 */
export function parseEbur128Summary(stderr: string, peakless = false): LoudnessFacts | null {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const number = (pattern: RegExp) => {
    const text = pattern.exec(summary)?.[1];
    if (text === undefined) return null;
    return text === '-inf' ? Number.NEGATIVE_INFINITY : Number(text);
  };
  const integrated = number(/\bI:\s+(-?[\d.]+|-inf)\s+LUFS/);
  const range = number(/\bLRA:\s+(-?[\d.]+|-inf)\s+LU\b/);
  const peak = number(/\bPeak:\s+(-?[\d.]+|-inf)\s+dBFS/);
  if (!summary.startsWith('Summary:') || integrated === null || (peak === null && !peakless)) return null;
  return { integratedLufs: integrated, truePeakDbtp: peak ?? Number.NaN, rangeLu: range ?? 0 };
}

/** Time allowed for a measurement: audio decodes at well over 20x real time, even on a busy Mac. */
function timeoutFor(durationMs: number): number {
  return Math.max(60_000, Math.round(durationMs / 5));
}

async function measure(
  ffmpegPath: string,
  args: string[],
  run: { durationMs: number; what: string; peakless?: boolean; signal?: AbortSignal | undefined },
) {
  const { what, peakless = false } = run;
  const out = await captureOutput(ffmpegPath, ['-hide_banner', '-nostdin', '-nostats', ...args], {
    timeoutMs: timeoutFor(run.durationMs),
    signal: run.signal,
  });
  const facts = out.code === 0 ? parseEbur128Summary(out.stderr, peakless) : null;
  if (!facts) {
    const detail = out.stderr.trim().split('\n').slice(-3).join(' ');
    throw new FfmpegError(
      'encode-failed',
      `cannot measure the loudness of ${what}: ${detail || 'no details'}`,
    );
  }
  return facts;
}

/** A sound as the mix takes it in: stereo at its rate. */
function asTheMixTakes(rate: number): string {
  return `aresample=${rate},aformat=sample_fmts=fltp:channel_layouts=stereo`;
}

/**
 * Whether the mix can take a file's sound (a tenth of a second of it is made stereo): one of 32
 * channels with no layout to say which is which cannot be, and passed the check to fail the plan
 * step after the narration.
 */
export async function mixesToStereo(ffmpegPath: string, path: string): Promise<boolean> {
  const out = await captureOutput(ffmpegPath, [
    ...['-hide_banner', '-nostdin', '-v', 'error', ...mediaInput(path), '-map', '0:a:0', '-t', '0.1'],
    ...['-af', asTheMixTakes(48_000), '-f', 'null', '-'],
  ]);
  // Stopped (its time ran out on a busy Mac): not an answer about the file, and never kept as one.
  if (out.code === null) throw new FfmpegError('probe-failed', `trying the mix on ${path} did not finish`);
  return out.code === 0;
}

/**
 * The loudness of a file's first audio stream; with `asMixedAt`, as the mix takes it in (stereo at
 * that rate: a mono file counts as it will sound there).
 */
export function measureFileLoudness(
  ffmpegPath: string,
  path: string,
  options: { durationMs?: number; asMixedAt?: number; signal?: AbortSignal | undefined } = {},
): Promise<LoudnessFacts> {
  const { asMixedAt } = options;
  const prepare = asMixedAt ? `${asTheMixTakes(asMixedAt)},` : '';
  return measure(
    ffmpegPath,
    [...mediaInput(path), '-map', '0:a:0', '-af', `${prepare}${EBUR128}`, '-f', 'null', '-'],
    { durationMs: options.durationMs ?? 0, what: path, signal: options.signal },
  );
}

/**
 * The loudness of the plan's audio track as the encoder will mix it (with its loudness plan, if any);
 * `truePeak: false` measures the integrated loudness only (truePeakDbtp NaN), a third faster.
 */
export function measureMixLoudness(
  ffmpegPath: string,
  plan: RenderPlan,
  assetPaths: Record<string, string>,
  options: { truePeak?: boolean; signal?: AbortSignal | undefined } = {},
): Promise<LoudnessFacts> {
  const graph = [
    ...audioGraph(
      plan,
      audioInputSpecs(plan).map((_, i) => i),
    ),
    `[aout]${options.truePeak === false ? EBUR128_NO_PEAK : EBUR128}[measured]`,
  ];
  return measure(
    ffmpegPath,
    [
      ...audioInputArgs(plan, assetPaths),
      ...['-filter_complex', graph.join(';\n'), '-map', '[measured]', '-f', 'null', '-'],
    ],
    {
      durationMs: plan.durationMs,
      what: 'the audio mix',
      peakless: options.truePeak === false,
      signal: options.signal,
    },
  );
}

/**
 * Measure, then gain: the gain that brings the mix to the target, and — when that gain would lift its
 * true peaks over the ceiling — a limiter just under the ceiling. A limiter takes loudness off with
 * the peaks, so the limited mix is measured again and the gain corrected (secant steps: the loudness
 * grows with the gain, ever more slowly as the limiter works harder) until it is on target. Null for
 * a silent mix.
 */
export async function planLoudness(
  ffmpegPath: string,
  plan: RenderPlan,
  assetPaths: Record<string, string>,
  target: Loudness,
  signal?: AbortSignal,
): Promise<LoudnessPlan | null> {
  const { loudness: _ignored, ...audio } = plan.audio;
  const bare: RenderPlan = { ...plan, audio };
  const first = await measureMixLoudness(ffmpegPath, bare, assetPaths, { signal });
  const base = { targetLufs: target.targetLufs, truePeakDbtp: target.truePeakDbtp };
  // Silence has no loudness to bring anywhere: null, and the video is left as it is.
  if (first.integratedLufs <= SILENCE_LUFS) return null;
  let gainDb = clampGain(target.targetLufs - first.integratedLufs);
  const ceiling = target.truePeakDbtp - CEILING_MARGIN_DB;
  if (first.truePeakDbtp + gainDb <= ceiling) return { ...base, gainDb: round2(gainDb), limitDbtp: null };
  const limitDbtp = round2(ceiling);
  // Without the limiter, one dB of gain is one dB of loudness: the first secant step starts from there.
  let previous = { gainDb: 0, lufs: first.integratedLufs };
  for (let pass = 0; pass < MAX_LIMITED_PASSES; pass++) {
    const limited = { ...base, gainDb: round2(gainDb), limitDbtp };
    // The limiter holds the peaks: only the loudness it leaves is measured.
    const measured = await measureMixLoudness(
      ffmpegPath,
      { ...plan, audio: { ...audio, loudness: limited } },
      assetPaths,
      { truePeak: false, signal },
    );
    const miss = target.targetLufs - measured.integratedLufs;
    if (Math.abs(miss) <= ON_TARGET_LU) return limited;
    const slope = (measured.integratedLufs - previous.lufs) / (gainDb - previous.gainDb || 1);
    previous = { gainDb, lufs: measured.integratedLufs };
    gainDb = clampGain(gainDb + miss / Math.max(MIN_SLOPE, Math.min(1, slope)));
  }
  return { ...base, gainDb: round2(gainDb), limitDbtp };
}

/** Close enough: the verify step allows 1 LU; measuring again costs a pass over the whole mix. */
const ON_TARGET_LU = 0.2;
const MAX_LIMITED_PASSES = 5;
/** A limiter so hard that a dB of gain adds less than this is not worth chasing further. */
const MIN_SLOPE = 0.1;

function clampGain(db: number): number {
  return Math.max(-MAX_GAIN_DB, Math.min(MAX_GAIN_DB, db));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

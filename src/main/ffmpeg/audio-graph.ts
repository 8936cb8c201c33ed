/**
 * The audio half of the filter graph: the narration, the music bed under it (each span looped or cut
 * to its length, faded in and out, ducked by sidechain compression keyed by the narration), and the
 * plan's loudness normalization (a measured gain, then a true-peak limiter when the peaks need one).
 * Everything is counted in samples, so the track ends on the same sample whatever the AAC frame size,
 * and a whole encode and a segmented one (encodeAudioTrack) make the very same track.
 */
import { audioAssetIds, type LoudnessPlan, type Music, type RenderPlan } from '../../shared/render-plan.ts';
import { FfmpegError } from './errors.ts';
import { dbToGain } from './filters.ts';
import { mediaInput } from './media-input.ts';

/** One audio input of the encode: its asset, and whether it loops (a music span shorter than its file is cut). */
export interface AudioInputSpec {
  asset: string;
  loop: boolean;
}

/** The audio inputs the graph reads, in order: the narration, then one per music span. */
export function audioInputSpecs(plan: RenderPlan): AudioInputSpec[] {
  return audioAssetIds(plan).map((asset, i) => ({ asset, loop: i > 0 }));
}

/** `-i` arguments for the audio inputs, in the order audioGraph reads them. */
export function audioInputArgs(plan: RenderPlan, assetPaths: Record<string, string>): string[] {
  return audioInputSpecs(plan).flatMap((spec) => {
    const path = assetPaths[spec.asset];
    if (!path) throw new FfmpegError('invalid-request', `no file given for asset "${spec.asset}"`);
    return [...(spec.loop ? ['-stream_loop', '-1'] : []), ...mediaInput(path)];
  });
}

/** Looking ahead further than this would delay the track; 1 ms is 48 samples at 48 kHz. */
const LIMITER_ATTACK_MS = 1;
const LIMITER_RELEASE_MS = 50;
/** True peaks are between samples: the limiter works at 4x the rate, where they are samples. */
const TRUE_PEAK_OVERSAMPLING = 4;
/**
 * The ducking compressor: keyed by the narration, it shuts the music (ratio 20 from -50 dBFS) whenever
 * anyone speaks; `mix` blends the dry music back in, so the music drops by duckDb instead of vanishing
 * (level = 1 - mix of the dry signal). Attack and release come from the preset.
 */
const DUCK_THRESHOLD = 0.003;
const DUCK_RATIO = 20;

/**
 * Filter graph statements ending in the [aout] label. `inputs` are the input indexes of
 * audioInputSpecs(plan), in its order.
 */
export function audioGraph(plan: RenderPlan, inputs: readonly number[]): string[] {
  const rate = plan.output.audioSampleRate;
  const samples = samplesAt(plan.durationMs, rate);
  const normalize = `aresample=${rate},aformat=sample_fmts=fltp:channel_layouts=stereo`;
  // apad: narration shorter than the video is padded with silence rather than ending the audio early.
  const narration = `[${inputs[0]}:a:0]${normalize},apad,atrim=end_sample=${samples}`;
  const finish = `${loudnessChain(plan.audio.loudness, rate)}atrim=end_sample=${samples}[aout]`;
  const music = plan.audio.music;
  if (!music) return [`${narration},${finish}`];

  const statements = [...musicBus(music, inputs.slice(1), rate, samples, normalize)];
  if (music.duckDb > 0) {
    statements.unshift(`${narration},asplit=2[narr][duckkey]`);
    const mix = (1 - dbToGain(-music.duckDb)).toFixed(4);
    statements.push(
      `[music][duckkey]sidechaincompress=threshold=${DUCK_THRESHOLD}:ratio=${DUCK_RATIO}` +
        `:attack=${music.attackMs}:release=${music.releaseMs}:detection=peak:mix=${mix}[ducked]`,
    );
  } else {
    statements.unshift(`${narration}[narr]`);
    statements.push('[music]anull[ducked]');
  }
  // amix divides by the input count (ffmpeg < 4.4 has no normalize=0): volume=2 restores unity.
  statements.push(`[narr][ducked]amix=inputs=2:duration=first:dropout_transition=0,volume=2,${finish}`);
  return statements;
}

/** The whole video's music as one stream labelled [music]: silence where no span plays. */
function musicBus(
  music: Music,
  inputs: readonly number[],
  rate: number,
  total: number,
  normalize: string,
): string[] {
  const statements: string[] = [];
  const pieces: string[] = [];
  const silence = (length: number) => {
    const label = `[mgap${pieces.length}]`;
    statements.push(`anullsrc=r=${rate}:cl=stereo,atrim=end_sample=${length}${label}`);
    pieces.push(label);
  };
  let at = 0;
  music.spans.forEach((span, i) => {
    const start = samplesAt(span.startMs, rate);
    const end = Math.min(total, samplesAt(span.startMs + span.durationMs, rate));
    if (start > at) silence(start - at);
    if (end <= start) return;
    const length = end - start;
    const fadeIn = Math.min(samplesAt(music.fadeInMs, rate), Math.floor(length / 2));
    const fadeOut = Math.min(samplesAt(music.fadeOutMs, rate), Math.floor(length / 2));
    const fades = [
      ...(fadeIn > 0 ? [`afade=t=in:ss=0:ns=${fadeIn}`] : []),
      ...(fadeOut > 0 ? [`afade=t=out:ss=${length - fadeOut}:ns=${fadeOut}`] : []),
    ];
    const label = `[mspan${i}]`;
    statements.push(
      [`[${inputs[i]}:a:0]${normalize}`, `volume=${span.gainDb}dB`, `atrim=end_sample=${length}`, ...fades]
        .join(',')
        .concat(label),
    );
    pieces.push(label);
    at = end;
  });
  if (at < total) silence(total - at);
  if (pieces.length === 1) statements.push(`${pieces[0]}anull[music]`);
  else statements.push(`${pieces.join('')}concat=n=${pieces.length}:v=0:a=1[music]`);
  return statements;
}

/** The measured gain, then (when needed) a true-peak limiter; empty without a loudness plan. */
function loudnessChain(loudness: LoudnessPlan | undefined, rate: number): string {
  if (!loudness) return '';
  const gain = `volume=${loudness.gainDb.toFixed(2)}dB,`;
  if (loudness.limitDbtp === null) return gain;
  const limit = dbToGain(loudness.limitDbtp).toFixed(4);
  return (
    `${gain}aresample=${rate * TRUE_PEAK_OVERSAMPLING},` +
    `alimiter=limit=${limit}:attack=${LIMITER_ATTACK_MS}:release=${LIMITER_RELEASE_MS}:level=0,` +
    `aresample=${rate},`
  );
}

/** Whole samples at `rate` for a time in milliseconds. */
export function samplesAt(ms: number, rate: number): number {
  return Math.round((ms * rate) / 1000);
}

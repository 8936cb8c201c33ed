/**
 * The audio half of the filter graph: narration, optionally mixed with looped music that ducks
 * while the narration speaks.
 */
import type { RenderPlan } from '../../shared/render-plan.ts';
import { dbToGain } from './filters.ts';

export interface AudioInputs {
  /** Input index of the narration file. */
  narration: number;
  /** Input index of the (stream-looped) music file, if any. */
  music?: number;
}

/** Returns filter graph statements ending in the [aout] label. */
export function audioGraph(plan: RenderPlan, inputs: AudioInputs): string[] {
  const rate = plan.output.audioSampleRate;
  // Exact sample count: the audio ends on the same sample whatever the AAC frame size.
  const samples = Math.round((plan.durationMs * rate) / 1000);
  const normalize = `aresample=${rate},aformat=sample_fmts=fltp:channel_layouts=stereo`;
  const end = `atrim=end_sample=${samples}`;
  // apad: narration shorter than the video is padded with silence rather than ending the audio early.
  const narration = `[${inputs.narration}:a:0]${normalize},apad`;
  const music = plan.audio.music;
  if (!music || inputs.music === undefined) return [`${narration},${end}[aout]`];

  const statements = [`[${inputs.music}:a:0]${normalize},volume=${music.volumeDb}dB[music]`];
  let musicLabel = '[music]';
  if (music.duckDb > 0) {
    statements.unshift(`${narration},asplit=2[narr][duckkey]`);
    /*
     * A hard compressor (ratio 20, threshold -60 dB) keyed by the narration silences the music
     * whenever anyone speaks; `mix` blends the dry music back in, so the music drops by exactly
     * duckDb instead of vanishing: level = (1 - mix) of dry.
     */
    const mix = (1 - dbToGain(-music.duckDb)).toFixed(4);
    statements.push(
      `[music][duckkey]sidechaincompress=threshold=0.003:ratio=20:attack=10:release=100:detection=peak:mix=${mix}[ducked]`,
    );
    musicLabel = '[ducked]';
  } else {
    statements.unshift(`${narration}[narr]`);
  }
  // amix divides by the input count (ffmpeg < 4.4 has no normalize=0): volume=2 restores unity.
  statements.push(
    `[narr]${musicLabel}amix=inputs=2:duration=first:dropout_transition=0,volume=2,${end}[aout]`,
  );
  return statements;
}

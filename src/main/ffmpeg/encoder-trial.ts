/**
 * Proving encoders: `ffmpeg -encoders` only says what was compiled in. A VideoToolbox encoder is listed
 * on a Mac whose hardware session limit is reached, inside a VM without the media engine, or in a build
 * whose framework will not load; only an encode shows it works. A farm node runs one tiny encode per
 * encoder when it starts and advertises only those that made frames.
 */
import type { RenderOutput } from '../../shared/render-plan.ts';
import { createLogger } from '../log/logger.ts';
import { videoEncoderArgs } from './command.ts';
import { captureOutput } from './exec.ts';

const log = createLogger('EncoderTrial');

/** A real video size (hardware encoders refuse tiny frames), for a fraction of a second. */
const TRIAL = { width: 640, height: 360, fps: 25, frames: 10 };
const TRIAL_TIMEOUT_MS = 20_000;

/** What the trial encodes with: the settings of the quick preview preset. */
const TRIAL_OUTPUT: RenderOutput = {
  encoders: [],
  width: TRIAL.width,
  height: TRIAL.height,
  fps: TRIAL.fps,
  bitrate: '1M',
  crf: 28,
  speedPreset: 'ultrafast',
  pixelFormat: 'yuv420p',
  audioCodec: 'aac',
  audioBitrate: '96k',
  audioSampleRate: 48000,
  container: 'mp4',
  videoCodec: 'h264',
};

export interface EncoderTrial {
  encoder: string;
  ok: boolean;
  /** Why it failed: the end of ffmpeg's error output. */
  reason?: string;
}

export function trialArgs(encoder: string): string[] {
  const source = `color=c=gray:s=${TRIAL.width}x${TRIAL.height}:r=${TRIAL.fps}`;
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    ...['-f', 'lavfi', '-i', source],
    ...['-frames:v', String(TRIAL.frames)],
    ...videoEncoderArgs(encoder, TRIAL_OUTPUT),
    ...['-pix_fmt', 'yuv420p', '-f', 'null', '-'],
  ];
}

/** One trial encode per encoder (at once: they are tiny); the answer keeps the order asked for. */
export async function trialEncoders(
  ffmpegPath: string,
  encoders: readonly string[],
): Promise<EncoderTrial[]> {
  const trials = await Promise.all(
    encoders.map(async (encoder): Promise<EncoderTrial> => {
      const out = await captureOutput(ffmpegPath, trialArgs(encoder), { timeoutMs: TRIAL_TIMEOUT_MS }).catch(
        (error: unknown) => ({ code: null, stdout: '', stderr: String(error) }),
      );
      if (out.code === 0) return { encoder, ok: true };
      const reason =
        out.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300) ||
        (out.code === null ? 'timed out or was killed' : `exited with ${out.code}`);
      return { encoder, ok: false, reason };
    }),
  );
  for (const trial of trials.filter((t) => !t.ok))
    log.warn('an encoder ffmpeg lists failed its trial encode; it is not used', { ...trial });
  return trials;
}

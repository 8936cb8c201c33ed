/**
 * Checks a finished video before it is published: right codecs, size and durations, audio that
 * ends with the picture, and (when the plan normalizes it) audio at its target loudness. A video that fails here is deleted, never delivered.
 */
import { stat } from 'node:fs/promises';
import { encodeSpan, framesToMs } from '../../shared/plan-frames.ts';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { settled } from '../util/settled.ts';
import { FfmpegError } from './errors.ts';
import { captureOutput } from './exec.ts';
import { type LoudnessFacts, measureFileLoudness } from './loudness.ts';
import { type MediaFacts, PROBE_ENTRIES, parseFfmpegInfo, parseFfprobeJson } from './media-facts.ts';

export interface VideoExpectation {
  width: number;
  height: number;
  durationMs: number;
  /** Allowed difference of each duration from the expected one and from each other (default 100). */
  toleranceMs?: number;
  /** Whether an AAC audio stream must be present (true) or absent (false). */
  audio: boolean;
  /** Exact number of video frames, when the caller knows it (a segment, a frame-exact join). */
  frames?: number;
  /** A soft caption track (mov_text) must be present. */
  captions?: boolean;
  /** The integrated loudness the audio must have (LUFS), within `loudnessToleranceLu` (default 1). */
  loudnessLufs?: number;
  loudnessToleranceLu?: number;
}

export interface VideoFacts extends MediaFacts {
  path: string;
  sizeBytes: number;
  /** Measured when a loudness was expected. */
  loudness?: LoudnessFacts;
}

/**
 * What an encode of `plan` must produce: a segment is video only, exactly its frames; a whole video
 * has its audio and exactly the frames of its duration.
 */
export function planExpectation(plan: RenderPlan): VideoExpectation {
  const { frameCount } = encodeSpan(plan);
  return {
    width: plan.output.width,
    height: plan.output.height,
    durationMs: plan.segment ? framesToMs(frameCount, plan.output.fps) : plan.durationMs,
    frames: frameCount,
    audio: !plan.segment,
    captions: Boolean(plan.captions && !plan.captions.burnIn && !plan.segment),
    ...(plan.audio.loudness && !plan.segment ? { loudnessLufs: plan.audio.loudness.targetLufs } : {}),
  };
}

export async function verifyVideo(
  ffprobePath: string | null,
  ffmpegPath: string,
  path: string,
  expect: VideoExpectation,
  options: {
    /**
     * The loudness of the audio stream this video carries copied packet for packet (a join copies the
     * audio track it was given): measured on that track, the video's audio is not decoded again.
     */
    audioLoudness?: Promise<LoudnessFacts>;
  } = {},
): Promise<VideoFacts> {
  // The loudness is measured while the streams are read (two short runs, one core each); it counts
  // only when the video has audio, and its failure only then.
  const loudness =
    expect.loudnessLufs === undefined
      ? undefined
      : settled(
          options.audioLoudness ?? measureFileLoudness(ffmpegPath, path, { durationMs: expect.durationMs }),
        );
  const facts = await readVideoFacts(ffprobePath, ffmpegPath, path).catch(async (error: unknown) => {
    await loudness;
    throw error;
  });
  if (expect.frames !== undefined && facts.video && facts.video.frames === null) {
    facts.video.frames = await countVideoFrames(ffmpegPath, path);
  }
  const measured = await loudness;
  if (measured && facts.audio) {
    if (!measured.ok) throw measured.error;
    facts.loudness = measured.value;
  }
  const problems = findProblems(facts, expect);
  if (problems.length > 0) {
    throw new FfmpegError(
      'verify-failed',
      `The rendered video ${path} is not as planned: ${problems.join('; ')}`,
    );
  }
  return facts;
}

export async function readVideoFacts(
  ffprobePath: string | null,
  ffmpegPath: string,
  path: string,
): Promise<VideoFacts> {
  const file = await stat(path).catch(() => null);
  if (!file?.isFile()) throw new FfmpegError('verify-failed', `The rendered video ${path} does not exist`);
  let facts: MediaFacts | null;
  if (ffprobePath) {
    const args = ['-v', 'error', '-print_format', 'json', ...PROBE_ENTRIES, path];
    const out = await captureOutput(ffprobePath, args);
    facts = out.code === 0 ? parseFfprobeJson(out.stdout) : null;
    if (!facts) throw unreadable(path, out.stderr);
  } else {
    // No ffprobe (some bundled builds): ffmpeg's input summary has codecs, size and container duration.
    const out = await captureOutput(ffmpegPath, ['-hide_banner', '-nostdin', '-i', path]);
    facts = parseFfmpegInfo(out.stderr);
    if (!facts) throw unreadable(path, out.stderr);
  }
  return { path, sizeBytes: file.size, ...facts };
}

/** Counts frames by reading every video packet (no decoding): for when the container cannot tell. */
export async function countVideoFrames(ffmpegPath: string, path: string): Promise<number | null> {
  const args = ['-hide_banner', '-nostdin', '-i', path, '-map', '0:v:0', '-c', 'copy', '-f', 'null', '-'];
  const out = await captureOutput(ffmpegPath, args);
  const counts = [...out.stderr.matchAll(/frame=\s*(\d+)/g)];
  return out.code === 0 && counts.length > 0 ? Number(counts.at(-1)?.[1]) : null;
}

function unreadable(path: string, stderr: string): FfmpegError {
  const detail = stderr.trim().split('\n').slice(-3).join(' ');
  return new FfmpegError(
    'verify-failed',
    `The rendered video ${path} cannot be read: ${detail || 'no details'}`,
  );
}

/** Every way the facts differ from the expectation, in words; empty when all is well. */
export function findProblems(
  facts: MediaFacts & { loudness?: LoudnessFacts },
  expect: VideoExpectation,
): string[] {
  const tolerance = expect.toleranceMs ?? 100;
  const problems: string[] = [];
  const off = (actual: number, wanted: number) => Math.abs(actual - wanted) > tolerance;
  const ms = (value: number) => `${Math.round(value)} ms`;

  if (!facts.video) return ['it has no video stream'];
  const { video, audio } = facts;
  if (video.codec !== 'h264' && video.codec !== 'hevc')
    problems.push(`video codec is ${video.codec}, not H.264/HEVC`);
  if (video.width !== expect.width || video.height !== expect.height) {
    problems.push(`size is ${video.width}x${video.height}, expected ${expect.width}x${expect.height}`);
  }
  if (expect.frames !== undefined) {
    if (video.frames === null) problems.push('its frame count is unknown');
    else if (video.frames !== expect.frames)
      problems.push(`it has ${video.frames} frames, expected ${expect.frames}`);
  }
  if (video.durationMs === null) problems.push('video duration is unknown');
  else if (off(video.durationMs, expect.durationMs)) {
    problems.push(`video lasts ${ms(video.durationMs)}, expected ${ms(expect.durationMs)}`);
  }
  if (expect.captions && facts.subtitles !== 'mov_text') problems.push('it has no caption track');
  if (!expect.audio) {
    if (audio) problems.push(`it has an audio stream (${audio.codec}) but none was expected`);
    return problems;
  }
  if (!audio) return [...problems, 'it has no audio stream'];
  if (audio.codec !== 'aac') problems.push(`audio codec is ${audio.codec}, not AAC`);
  if (audio.durationMs === null) problems.push('audio duration is unknown');
  else {
    if (off(audio.durationMs, expect.durationMs)) {
      problems.push(`audio lasts ${ms(audio.durationMs)}, expected ${ms(expect.durationMs)}`);
    }
    if (video.durationMs !== null && off(audio.durationMs, video.durationMs)) {
      problems.push(`audio (${ms(audio.durationMs)}) and video (${ms(video.durationMs)}) lengths differ`);
    }
  }
  if (expect.loudnessLufs !== undefined) {
    const tolerance = expect.loudnessToleranceLu ?? 1;
    const measured = facts.loudness?.integratedLufs;
    if (measured === undefined) problems.push('its loudness was not measured');
    else if (!(Math.abs(measured - expect.loudnessLufs) <= tolerance)) {
      problems.push(
        `its loudness is ${measured.toFixed(1)} LUFS, expected ${expect.loudnessLufs} ±${tolerance} LU`,
      );
    }
  }
  return problems;
}

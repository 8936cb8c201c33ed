/**
 * Puts the segments of a split encode back together: the video packets are concatenated as they are
 * (no re-encode, so no generation loss and seconds instead of minutes), with the whole audio, mixed
 * and encoded ONCE as its own track. Encoding audio per segment would leave AAC priming gaps at every
 * cut (~21 ms each); one track has none, so picture and sound stay in sync to the frame. The audio
 * track does not depend on the segments: it is encoded while they are (AAC runs at ~25x real time
 * here, seconds a serial join would add).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { planFrameCount } from '../../shared/plan-frames.ts';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { createLogger } from '../log/logger.ts';
import { partialPathFor } from '../util/atomic-file.ts';
import { audioGraph, audioInputArgs, audioInputSpecs } from './audio-graph.ts';
import { audioEncoderArgs, captionTrackArgs } from './command.ts';
import { FfmpegError } from './errors.ts';
import type { LoudnessFacts } from './loudness.ts';
import type { FfmpegProgress } from './progress.ts';
import { runFfmpeg } from './run.ts';
import { planExpectation, readVideoFacts, type VideoFacts, verifyVideo } from './verify.ts';

const log = createLogger('SegmentJoin');

const QUIET = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: FfmpegProgress) => void;
}

export interface AudioTrackRequest {
  ffmpegPath: string;
  /** The whole video's plan (no segment). */
  plan: RenderPlan;
  /** Absolute paths of the plan's audio assets (narration, music), by asset id. */
  assetPaths: Record<string, string>;
  /** Where the AAC track (MP4 audio) goes. */
  outPath: string;
}

/** Pure: narration (+ ducked music, normalized) mixed exactly as a whole encode mixes it, encoded to AAC. */
export function buildAudioTrackCommand(request: Omit<AudioTrackRequest, 'ffmpegPath'>): string[] {
  const { plan, assetPaths } = request;
  const graph = audioGraph(
    plan,
    audioInputSpecs(plan).map((_, i) => i),
  );
  return [
    ...QUIET,
    ...audioInputArgs(plan, assetPaths),
    ...['-filter_complex', graph.join(';\n'), '-map', '[aout]'],
    ...audioEncoderArgs(plan.output),
    ...['-f', 'mp4', request.outPath],
  ];
}

/** The audio track of the whole video, written through a temp file. */
export async function encodeAudioTrack(
  request: AudioTrackRequest,
  options: RunOptions = {},
): Promise<string> {
  await mkdir(dirname(request.outPath), { recursive: true });
  const partialPath = partialPathFor(request.outPath);
  try {
    // Background work: it has until the last segment is back, and must not slow this Mac's own segment.
    // Local parts too: they rarely cost the same (a title card, a clip, crossfades), and the audio fills
    // the core the first one to finish leaves. The normal priority was measured no faster (BENCHMARKS.md,
    // run H: equal on the bench script; on the showcase two alternating comparisons disagreed).
    await runFfmpeg(request.ffmpegPath, buildAudioTrackCommand({ ...request, outPath: partialPath }), {
      durationMs: request.plan.durationMs,
      background: true,
      ...options,
    });
    if (options.signal?.aborted) throw new FfmpegError('cancelled', 'audio encode cancelled');
    await rename(partialPath, request.outPath);
    return request.outPath;
  } catch (error) {
    await rm(partialPath, { force: true });
    throw error;
  }
}

export interface JoinRequest {
  ffmpegPath: string;
  ffprobePath: string | null;
  /** The whole video's plan (no segment). */
  plan: RenderPlan;
  /** Every segment's verified video, in order. */
  segmentPaths: string[];
  /**
   * What each segment's own encode read from it (same order), when it ran in this app's runner: such
   * a segment is not probed again. A segment from elsewhere (a farm worker) has none and is probed.
   */
  segmentFacts?: readonly (VideoFacts | undefined)[];
  /** The whole video's audio track (encodeAudioTrack). */
  audioPath: string;
  /** That track's loudness (measureFileLoudness), when the caller measured it: the join copies it. */
  audioLoudness?: Promise<LoudnessFacts>;
  /** Captions to mux as a track, when the plan does not burn them in. */
  captionsPath?: string;
  outPath: string;
}

export interface JoinResult {
  outPath: string;
  args: string[];
  facts: VideoFacts;
  elapsedMs: number;
}

export interface JoinCommandInput {
  /** A concat demuxer list naming the segments in order. */
  listPath: string;
  audioPath: string;
  captionsPath?: string;
  outPath: string;
  videoCodec: RenderPlan['output']['videoCodec'];
}

/**
 * Pure: the one ffmpeg call that concatenates the segments and adds the audio track, both copied, and
 * the captions as a track when they are not burned in.
 */
export function buildJoinCommand(input: JoinCommandInput): string[] {
  return [
    ...QUIET,
    ...['-f', 'concat', '-safe', '0', '-i', input.listPath, '-i', input.audioPath],
    ...(input.captionsPath ? ['-i', input.captionsPath] : []),
    ...['-map', '0:v:0', '-map', '1:a:0', '-c:v', 'copy', '-c:a', 'copy'],
    ...(input.captionsPath ? captionTrackArgs(2) : []),
    // QuickTime wants HEVC tagged hvc1, as the segments were.
    ...(input.videoCodec === 'hevc' ? ['-tag:v', 'hvc1'] : []),
    ...['-movflags', '+faststart', '-f', 'mp4', input.outPath],
  ];
}
/**
 * A concat demuxer list: one `file '...'` line per segment, quotes escaped the way the demuxer reads
 * them, and each segment's exact length (its frames at the video's rate) when known. Without it the
 * demuxer takes a segment's length from its container, rounded to the millisecond, and the frame after
 * each join came 0.33 ms late at 30 fps: the joined video was no longer constant-rate.
 */
export function concatList(paths: string[], seconds: readonly (number | undefined)[] = []): string {
  const entry = (path: string, i: number) => {
    const file = `file '${path.replaceAll("'", "'\\''")}'`;
    const length = seconds[i];
    return length === undefined ? file : `${file}\nduration ${length.toFixed(6)}`;
  };
  return `${paths.map(entry).join('\n')}\n`;
}

export async function joinSegments(request: JoinRequest, options: RunOptions = {}): Promise<JoinResult> {
  const started = performance.now();
  const { plan } = request;
  const frames = await checkSegmentsMatch(request);
  const seconds = frames.map((n) => (n === null ? undefined : n / plan.output.fps));
  await mkdir(dirname(request.outPath), { recursive: true });
  const partialPath = partialPathFor(request.outPath);
  const listPath = `${partialPath}.txt`;
  const command = {
    listPath,
    audioPath: request.audioPath,
    videoCodec: plan.output.videoCodec,
    ...(request.captionsPath ? { captionsPath: request.captionsPath } : {}),
  };
  try {
    await writeFile(listPath, concatList(request.segmentPaths, seconds));
    await runFfmpeg(request.ffmpegPath, buildJoinCommand({ ...command, outPath: partialPath }), {
      durationMs: plan.durationMs,
      ...options,
    });
    if (options.signal?.aborted) throw new FfmpegError('cancelled', 'join cancelled');
    const facts = await verifyVideo(
      request.ffprobePath,
      request.ffmpegPath,
      partialPath,
      planExpectation(plan),
      request.audioLoudness ? { audioLoudness: request.audioLoudness } : {},
    );
    await rename(partialPath, request.outPath);
    const elapsedMs = Math.round(performance.now() - started);
    log.info('segments joined', { plan: plan.id, segments: request.segmentPaths.length, elapsedMs });
    return {
      outPath: request.outPath,
      args: buildJoinCommand({ ...command, outPath: request.outPath }),
      facts: { ...facts, path: request.outPath },
      elapsedMs,
    };
  } catch (error) {
    await rm(partialPath, { force: true });
    throw error;
  } finally {
    await rm(listPath, { force: true });
  }
}

/**
 * Packets can only be concatenated when every segment is the same kind of stream: same codec,
 * profile, level, size and pixel format (a Mac with a different encoder or ffmpeg would make a file
 * players choke on at the cut). Gives each one's frames (null: unknown).
 */
async function checkSegmentsMatch(request: JoinRequest): Promise<(number | null)[]> {
  const { plan } = request;
  const facts = await Promise.all(
    request.segmentPaths.map(
      (path, i) => request.segmentFacts?.[i] ?? readVideoFacts(request.ffprobePath, request.ffmpegPath, path),
    ),
  );
  const shape = (f: VideoFacts) => {
    if (!f.video) return 'no video';
    const { codec, profile, level, width, height, pixelFormat } = f.video;
    return `${codec} ${profile ?? ''} level ${level ?? '?'} ${width}x${height} ${pixelFormat ?? '?'}`;
  };
  const first = facts[0] ? shape(facts[0]) : 'no segments';
  const odd = facts.findIndex((f) => shape(f) !== first || f.audio !== null);
  if (facts.length === 0 || odd >= 0) {
    throw new FfmpegError(
      'verify-failed',
      `segment ${odd + 1} cannot be joined: it is ${facts[odd] ? shape(facts[odd]) : 'missing'}${facts[odd]?.audio ? ' with audio' : ''}, segment 1 is ${first}`,
    );
  }
  const frames = facts.reduce((sum, f) => sum + (f.video?.frames ?? 0), 0);
  const known = facts.every((f) => f.video?.frames !== null);
  if (known && frames !== planFrameCount(plan)) {
    throw new FfmpegError(
      'verify-failed',
      `the segments have ${frames} frames together, the video needs ${planFrameCount(plan)}`,
    );
  }
  return facts.map((f) => f.video?.frames ?? null);
}

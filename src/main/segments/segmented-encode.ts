/**
 * One video from its segments, wherever they are encoded (on this Mac's free cores, or on the farm's
 * workers): the audio is mixed and encoded once here while the segments are encoded, then the segments'
 * packets are joined with it and the result verified. Segments must all come from one encoder: packets
 * of different encoders cannot be concatenated.
 */
import { join } from 'node:path';
import { encodeSpan } from '../../shared/plan-frames.ts';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { encodeAudioTrack, type FfmpegLocation, joinSegments } from '../ffmpeg/index.ts';
import type { VideoFacts } from '../ffmpeg/verify.ts';

/** Share of the progress the segments stand for; the join is the rest. */
const SEGMENTS_SHARE = 0.95;

/** A segment came back from another encoder than the one pinned: the segments cannot be joined. */
export class MixedEncodersError extends Error {
  override readonly name = 'MixedEncodersError';
}

export interface EncodedSegment {
  path: string;
  encoder: string;
}

export interface SegmentedEncodeInput {
  /** The whole video's plan. */
  plan: RenderPlan;
  /** Its segments (splitPlan), pinned to one encoder. */
  segments: RenderPlan[];
  ffmpeg: FfmpegLocation;
  /** Files of the assets the whole video's audio (and a captions track) reads, by asset id. */
  assetPaths: Record<string, string>;
  workDir: string;
  signal: AbortSignal;
  onProgress?: (fraction: number) => void;
  /**
   * Encodes every segment, in order; `progress(index, fraction)` reports how far segment `index` is
   * (1 when it is back).
   */
  encodeSegments(progress: (index: number, fraction: number) => void): Promise<EncodedSegment[]>;
  /** The segments are back but cannot make this video (a foreign encoder, a failed join). */
  onUnusable?: () => Promise<void>;
}

export interface SegmentedEncodeResult {
  outPath: string;
  encoder: string;
  facts: VideoFacts;
  joinMs: number;
}

export async function encodeSegmented(input: SegmentedEncodeInput): Promise<SegmentedEncodeResult> {
  const { plan, ffmpeg } = input;
  const captions = plan.captions;
  const captionsPath = captions && !captions.burnIn ? input.assetPaths[captions.asset] : undefined;
  // The audio encode stops when the caller cancels, and when a segment fails for good.
  const local = new AbortController();
  const stop = () => local.abort(input.signal.reason);
  input.signal.addEventListener('abort', stop, { once: true });
  const done = progressOf(input.segments, (fraction) => input.onProgress?.(SEGMENTS_SHARE * fraction));
  // Both are awaited together from the start, so a failure of either is never left unhandled.
  const segments = input.encodeSegments(done);
  const audio = encodeAudioTrack(
    {
      ffmpegPath: ffmpeg.ffmpegPath,
      plan,
      assetPaths: input.assetPaths,
      outPath: join(input.workDir, 'audio.m4a'),
    },
    { signal: local.signal },
  );
  let results: EncodedSegment[];
  let audioPath: string;
  try {
    [results, audioPath] = await Promise.all([segments, audio]);
  } catch (error) {
    local.abort(error);
    await audio.catch(() => undefined);
    throw error;
  } finally {
    input.signal.removeEventListener('abort', stop);
  }
  const pinned = input.segments[0]?.output.encoders[0];
  const odd = results.find((r) => r.encoder !== pinned);
  if (odd) {
    await input.onUnusable?.();
    throw new MixedEncodersError(`a segment came from ${odd.encoder}, not from ${pinned}`);
  }
  const joined = await joinSegments(
    {
      ffmpegPath: ffmpeg.ffmpegPath,
      ffprobePath: ffmpeg.ffprobePath,
      plan,
      segmentPaths: results.map((r) => r.path),
      audioPath,
      ...(captionsPath ? { captionsPath } : {}),
      outPath: join(input.workDir, 'video.mp4'),
    },
    {
      signal: input.signal,
      onProgress: (p) => input.onProgress?.(SEGMENTS_SHARE + (1 - SEGMENTS_SHARE) * p.fraction),
    },
  ).catch(async (error: unknown) => {
    // Segments that cannot be joined would fail the same way again.
    if (!input.signal.aborted) await input.onUnusable?.();
    throw error;
  });
  return {
    outPath: joined.outPath,
    encoder: pinned ?? 'unknown',
    facts: joined.facts,
    joinMs: joined.elapsedMs,
  };
}

/** Segment progress → the share of the video's frames done (segments differ in length). */
function progressOf(
  segments: RenderPlan[],
  report: (fraction: number) => void,
): (index: number, fraction: number) => void {
  const frames = segments.map((s) => encodeSpan(s).frameCount);
  const total = frames.reduce((a, b) => a + b, 0) || 1;
  const done = frames.map(() => 0);
  return (index, fraction) => {
    if (index < 0 || index >= done.length) return;
    done[index] = Math.min(1, Math.max(done[index] ?? 0, fraction));
    report(done.reduce((sum, f, i) => sum + f * (frames[i] ?? 0), 0) / total);
  };
}

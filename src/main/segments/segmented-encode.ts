/**
 * One video from its segments, wherever they are encoded (on this Mac's free cores, or on the farm's
 * workers): the audio is mixed and encoded once here while the segments are encoded, then the segments'
 * packets are joined with it and the result verified. Segments must all come from one encoder: packets
 * of different encoders cannot be concatenated.
 */
import { join } from 'node:path';
import { encodeSpan, framesToMs } from '../../shared/plan-frames.ts';
import { combineParts, type PartsEta, type ProgressRate } from '../../shared/progress-rate.ts';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { encodeAudioTrack, type FfmpegLocation, joinSegments, measureFileLoudness } from '../ffmpeg/index.ts';
import type { VideoFacts } from '../ffmpeg/verify.ts';
import { sha256File } from '../util/hash.ts';

/** Share of the progress the segments stand for; the join is the rest. */
const SEGMENTS_SHARE = 0.95;

/** A segment came back from another encoder than the one pinned: the segments cannot be joined. */
export class MixedEncodersError extends Error {
  override readonly name = 'MixedEncodersError';
}

export interface EncodedSegment {
  path: string;
  encoder: string;
  /** What its encode verified, when it was encoded on this machine (the join then trusts it). */
  facts?: VideoFacts;
  /**
   * Its checksum once written (a farm segment's is its upload's), checked again just before the join:
   * the facts trusted describe those bytes, and a part changed meanwhile with its size kept (its
   * container intact) was joined, passed the verify, and was reused as the finished video.
   */
  sha256: string;
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
  /** The video's progress, with the segments' rates combined (`segmentProgress`). */
  onProgress?: (fraction: number, rate?: ProgressRate) => void;
  /**
   * How the time left is estimated: `slowest` when every segment is encoded at once (this machine's
   * cores), `pooled` when segments may wait for a worker (the farm). See PartsEta.
   */
  eta: PartsEta;
  /**
   * Encodes every segment, in order; `progress(index, fraction, rate)` reports how far segment `index`
   * is and how fast it goes (fraction 1 when it is back).
   */
  encodeSegments(progress: SegmentProgress): Promise<EncodedSegment[]>;
  /** The segments are back but cannot make this video (a foreign encoder, a failed join). */
  onUnusable?: () => Promise<void>;
}

export type SegmentProgress = (index: number, fraction: number, rate?: ProgressRate) => void;

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
  const done = segmentProgress(input.segments, input.eta, (fraction, rate) =>
    input.onProgress?.(SEGMENTS_SHARE * fraction, rate),
  );
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
  // Measured as soon as it is written, while segments may still be encoding: the join copies this track
  // packet for packet, so this is the video's loudness, and the verify after the join does not decode
  // the video's audio again (0.45 s after the last segment, for a 63 s video).
  const audioLoudness = plan.audio.loudness
    ? audio.then((path) => measureFileLoudness(ffmpeg.ffmpegPath, path, { durationMs: plan.durationMs }))
    : undefined;
  // A failed audio track fails the encode below; its measurement's failure is then nobody's to report.
  audioLoudness?.catch(() => undefined);
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
  await checkUnchanged(results).catch(async (error: unknown) => {
    // The farm's segments are dropped too: the next attempt encodes them again, not the same bytes.
    await input.onUnusable?.();
    throw error;
  });
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
      segmentFacts: results.map((r) => r.facts),
      audioPath,
      ...(audioLoudness ? { audioLoudness } : {}),
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

/**
 * Segment progress → the video's: the share of its frames done (segments differ in length), and the
 * segments' rates combined (fps and speed summed; the time left as `eta` says). A segment never goes
 * back, and one that is back (1) no longer counts as encoding.
 */
export function segmentProgress(
  segments: readonly RenderPlan[],
  eta: PartsEta,
  report: (fraction: number, rate?: ProgressRate) => void,
): SegmentProgress {
  const parts = segments.map((s) => ({
    durationMs: framesToMs(encodeSpan(s).frameCount, s.output.fps),
    fraction: 0,
    rate: undefined as ProgressRate | undefined,
  }));
  return (index, fraction, rate) => {
    const part = parts[index];
    if (!part || part.fraction >= 1) return;
    part.fraction = Math.min(1, Math.max(part.fraction, fraction));
    part.rate = rate;
    const combined = combineParts(parts, eta);
    report(combined.fraction, combined.rate);
  };
}

/** Each segment still holds the bytes its checksum was taken of (a retryable failure if not). */
async function checkUnchanged(segments: EncodedSegment[]): Promise<void> {
  for (const [index, segment] of segments.entries()) {
    const { sha256 } = await sha256File(segment.path);
    if (sha256 !== segment.sha256)
      throw new Error(`part ${index + 1} of the video changed on disk after it was encoded; encoding again`);
  }
}

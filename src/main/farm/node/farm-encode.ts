/**
 * How this node's encode step gets a video from the farm: as one task, or — when the video is long
 * enough and the farm has the slots — as segments encoded in parallel on different workers, joined
 * here (packets copied, audio mixed once) and verified before the step sees it.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningEncode } from '../../../shared/contract.ts';
import { encodeSpan, framesToMs } from '../../../shared/plan-frames.ts';
import type { RenderPlan } from '../../../shared/render-plan.ts';
import { ShutdownError, StepError } from '../../engine/errors.ts';
import { encodeAudioTrack, type FfmpegLocation, joinSegments } from '../../ffmpeg/index.ts';
import { createLogger } from '../../log/logger.ts';
import type { FarmEncodeRequest, FarmEncodeResult } from '../../pipeline/services.ts';
import { sha256File, sha256Hex } from '../../util/hash.ts';
import type { EncodeCapacity } from '../segments/segment-encoder.ts';
import { planSegments } from '../segments/segment-encoder.ts';
import type { SplitPolicy } from '../segments/split-plan.ts';
import type { FarmResult, Origin, OriginTask } from './origin.ts';
import { followTasks } from './task-progress.ts';

const log = createLogger('FarmEncode');

/**
 * The user cancelled the job: its farm work is withdrawn. A node shutting down keeps it (the job
 * resumes after the restart and collects what the farm encoded meanwhile).
 */
function cancelledByUser(signal: AbortSignal): boolean {
  return signal.aborted && !(signal.reason instanceof ShutdownError);
}

/** Share of the step's progress the segments stand for; the join is the rest. */
const SEGMENTS_SHARE = 0.95;

export interface FarmEncoderDeps {
  nodeId: string;
  origin: Origin;
  ffmpeg: () => Promise<FfmpegLocation>;
  blobPath: (sha256: string) => string;
  /** Every live node's encoders and free slots, this one included. */
  capacity: () => EncodeCapacity[];
  /** null: videos render whole. */
  policy: () => SplitPolicy | null;
  /** Every encode running on the farm now, from the coordinator (undefined when it cannot be asked). */
  encodes: () => Promise<RunningEncode[] | undefined>;
}

/** How much video a plan (or its segment) is. */
function videoMsOf(plan: RenderPlan): number {
  return framesToMs(encodeSpan(plan).frameCount, plan.output.fps);
}

export class FarmEncoder {
  private readonly deps: FarmEncoderDeps;

  constructor(deps: FarmEncoderDeps) {
    this.deps = deps;
  }

  async encode(input: FarmEncodeRequest): Promise<FarmEncodeResult> {
    const { origin } = this.deps;
    const wholeId = origin.taskIdFor(input.jobId, input.planSha256);
    // A re-run keeps the shape it started with: a task in flight is never encoded twice.
    const tasks = origin.hasTask(wholeId)
      ? undefined
      : ((await origin.segmentsOf(wholeId)) ?? this.split(input, wholeId));
    if (!tasks) {
      const follower = followTasks({
        tasks: [{ taskId: wholeId, videoMs: videoMsOf(input.plan) }],
        encodes: this.deps.encodes,
        onProgress: (fraction, rate) => input.onProgress?.(fraction, rate),
      });
      const result = await origin
        .awaitTask({ taskId: wholeId, jobId: input.jobId, plan: input.plan, signal: input.signal })
        .catch(async (error: unknown) => {
          if (cancelledByUser(input.signal)) await origin.withdraw(wholeId);
          throw error;
        })
        .finally(() => follower.stop());
      return { ...result, segments: 1 };
    }
    return this.encodeSegments(input, wholeId, tasks).catch(async (error: unknown) => {
      if (cancelledByUser(input.signal)) await origin.dropSegments(wholeId);
      throw error;
    });
  }

  /** New segment tasks for this video, or undefined when it renders whole. */
  private split(input: FarmEncodeRequest, wholeId: string): OriginTask[] | undefined {
    const parts = planSegments(input.plan, this.deps.capacity(), this.deps.policy());
    if (parts.length < 2) return undefined;
    // Fresh ids per split: a split dropped earlier may have left finished tasks at the coordinator.
    const nonce = randomUUID();
    return parts.map((plan) => ({
      taskId: sha256Hex(
        `${this.deps.nodeId}:${wholeId}:segment:${plan.segment?.index}/${parts.length}:${nonce}`,
      ),
      plan,
    }));
  }

  private async encodeSegments(
    input: FarmEncodeRequest,
    wholeId: string,
    tasks: OriginTask[],
  ): Promise<FarmEncodeResult> {
    const { origin } = this.deps;
    log.info('video split into segments', {
      job: input.jobId,
      task: wholeId,
      segments: tasks.map((t) => {
        const span = encodeSpan(t.plan);
        return { task: t.taskId, scenes: span.parts.map((part) => part.scene), frames: span.frameCount };
      }),
    });
    const ffmpeg = await this.deps.ffmpeg();
    const assetPaths = await this.linkOriginAssets(input.plan, input.workDir);
    const captions = input.plan.captions;
    const captionsPath = captions && !captions.burnIn ? assetPaths[captions.asset] : undefined;
    // The audio encode stops when the step is cancelled, and when a segment fails for good.
    const local = new AbortController();
    const stop = () => local.abort(input.signal.reason);
    input.signal.addEventListener('abort', stop, { once: true });
    // The segments' progress (weighted by their length) and their workers' speeds added up.
    const follower = followTasks({
      tasks: tasks.map((t) => ({ taskId: t.taskId, videoMs: videoMsOf(t.plan) })),
      encodes: this.deps.encodes,
      onProgress: (fraction, rate) => input.onProgress?.(SEGMENTS_SHARE * fraction, rate),
    });
    // Both promises are awaited together from the start, so a failure of either is never left unhandled.
    const segments = Promise.all(
      tasks.map((task) =>
        origin
          .awaitTask({
            taskId: task.taskId,
            jobId: input.jobId,
            plan: task.plan,
            splitOf: wholeId,
            signal: input.signal,
          })
          .then((result) => {
            follower.finished(task.taskId);
            return result;
          }),
      ),
    );
    // The audio needs no segment: it is encoded here while the farm encodes the picture.
    const audio = encodeAudioTrack(
      {
        ffmpegPath: ffmpeg.ffmpegPath,
        plan: input.plan,
        assetPaths,
        outPath: join(input.workDir, 'audio.m4a'),
      },
      { signal: local.signal },
    );
    let results: FarmResult[];
    let audioPath: string;
    try {
      [results, audioPath] = await Promise.all([segments, audio]);
    } catch (error) {
      local.abort(error);
      await audio.catch(() => undefined);
      throw error;
    } finally {
      follower.stop();
      input.signal.removeEventListener('abort', stop);
    }
    // Packets of different encoders cannot be joined: the workers had to use the pinned one.
    const pinned = tasks[0]?.plan.output.encoders[0];
    const odd = results.find((r) => r.encoder !== pinned);
    if (odd) {
      await origin.dropSegments(wholeId);
      throw new StepError('retryable', `a segment came from ${odd.encoder}, not from ${pinned}`);
    }
    const joined = await joinSegments(
      {
        ffmpegPath: ffmpeg.ffmpegPath,
        ffprobePath: ffmpeg.ffprobePath,
        plan: input.plan,
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
      // Segments that cannot be joined would fail the same way again: the next attempt splits anew.
      if (!input.signal.aborted) await origin.dropSegments(wholeId);
      throw error;
    });
    // The joined video is the step's now; the segments were only a means to it.
    await origin.dropSegments(wholeId);
    return {
      path: joined.outPath,
      sha256: (await sha256File(joined.outPath)).sha256,
      encoder: results[0]?.encoder ?? 'unknown',
      segments: tasks.length,
    };
  }

  /**
   * The assets the origin itself reads: the audio, and captions that become a track. ffmpeg
   * recognises audio by content, but subtitles by extension: symlinks with real names give both.
   */
  private async linkOriginAssets(plan: RenderPlan, workDir: string): Promise<Record<string, string>> {
    const dir = join(workDir, 'origin-assets');
    await mkdir(dir, { recursive: true });
    const ids = new Set([plan.audio.narration, ...(plan.audio.music ? [plan.audio.music.asset] : [])]);
    if (plan.captions && !plan.captions.burnIn) ids.add(plan.captions.asset);
    const paths: Record<string, string> = {};
    for (const id of ids) {
      const ref = plan.assets[id];
      if (!ref) continue;
      paths[id] = join(dir, `${id}-${ref.name}`);
      await symlink(this.deps.blobPath(ref.sha256), paths[id]);
    }
    return paths;
  }
}

/**
 * How this node's encode step gets a video from the farm: as one task, or — when the video is long
 * enough and the farm has the slots — as segments encoded in parallel on different workers, joined
 * here (packets copied, audio mixed once) and verified before the step sees it.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningEncode } from '../../../shared/contract.ts';
import { encodeSpan } from '../../../shared/plan-frames.ts';
import { audioAssetIds, type RenderPlan } from '../../../shared/render-plan.ts';
import { errorKindOf, ShutdownError, StepError } from '../../engine/errors.ts';
import type { FfmpegLocation } from '../../ffmpeg/index.ts';
import { createLogger } from '../../log/logger.ts';
import type { FarmEncodeRequest, FarmEncodeResult } from '../../pipeline/services.ts';
import { type EncodeCapacity, planSegments } from '../../segments/segment-placement.ts';
import { encodeSegmented, MixedEncodersError } from '../../segments/segmented-encode.ts';
import type { SplitPolicy } from '../../segments/split-plan.ts';
import { sha256File, sha256Hex } from '../../util/hash.ts';
import type { Origin, OriginTask } from './origin.ts';
import { followTasks } from './task-progress.ts';

const log = createLogger('FarmEncode');

/**
 * The user cancelled the job: its farm work is withdrawn. A node shutting down keeps it (the job
 * resumes after the restart and collects what the farm encoded meanwhile).
 */
function cancelledByUser(signal: AbortSignal): boolean {
  return signal.aborted && !(signal.reason instanceof ShutdownError);
}

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
      // The worker's progress and rate, as its heartbeats told the coordinator.
      const follower = followTasks({
        taskIds: [wholeId],
        encodes: this.deps.encodes,
        onProgress: (_index, fraction, rate) => input.onProgress?.(fraction, rate),
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
      // An operator cancelled one segment (the job was not stopped here): the others are withdrawn too,
      // the video will not be joined.
      const byOperator = !input.signal.aborted && errorKindOf(error) === 'cancelled';
      if (cancelledByUser(input.signal) || byOperator) await origin.dropSegments(wholeId);
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
    const joined = await encodeSegmented({
      plan: input.plan,
      segments: tasks.map((t) => t.plan),
      ffmpeg: await this.deps.ffmpeg(),
      assetPaths: await this.linkOriginAssets(input.plan, input.workDir),
      workDir: input.workDir,
      signal: input.signal,
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      // A segment may wait for a free worker: the time left is the video left over the speeds at work.
      eta: 'pooled',
      encodeSegments: async (progress) => {
        // The workers' progress and rates, as their heartbeats told the coordinator.
        const follower = followTasks({
          taskIds: tasks.map((t) => t.taskId),
          encodes: this.deps.encodes,
          onProgress: progress,
        });
        try {
          return await Promise.all(
            tasks.map((task, index) =>
              origin
                .awaitTask({
                  taskId: task.taskId,
                  jobId: input.jobId,
                  plan: task.plan,
                  splitOf: wholeId,
                  signal: input.signal,
                })
                .then((result) => {
                  progress(index, 1);
                  return result;
                }),
            ),
          );
        } finally {
          follower.stop();
        }
      },
      // The next attempt splits anew.
      onUnusable: () => origin.dropSegments(wholeId),
    }).catch((error: unknown) => {
      // A foreign encoder is a worker's mistake: another attempt may go better.
      if (error instanceof MixedEncodersError) {
        throw new StepError('retryable', error.message);
      }
      throw error;
    });
    // The joined video is the step's now; the segments were only a means to it.
    await origin.dropSegments(wholeId);
    return {
      path: joined.outPath,
      sha256: (await sha256File(joined.outPath)).sha256,
      encoder: joined.encoder,
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
    const ids = new Set(audioAssetIds(plan));
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

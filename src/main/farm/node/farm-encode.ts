/**
 * How this node's encode step gets a video from the farm: as one task, or — when the video is long
 * enough and the farm has the slots — as segments encoded in parallel on different workers, joined
 * here (packets copied, audio mixed once) and verified before the step sees it.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeSpan } from '../../../shared/plan-frames.ts';
import type { RenderPlan } from '../../../shared/render-plan.ts';
import { encodeAudioTrack, type FfmpegLocation, joinSegments } from '../../ffmpeg/index.ts';
import { createLogger } from '../../log/logger.ts';
import { sha256File, sha256Hex } from '../../util/hash.ts';
import type { EncodeCapacity } from '../segments/segment-encoder.ts';
import { planSegments } from '../segments/segment-encoder.ts';
import type { SplitPolicy } from '../segments/split-plan.ts';
import type { FarmResult, Origin, OriginTask } from './origin.ts';

const log = createLogger('FarmEncode');

/** Share of the step's progress the segments stand for; the join is the rest. */
const SEGMENTS_SHARE = 0.95;

export interface FarmEncodeInput {
  jobId: string;
  plan: RenderPlan;
  planSha256: string;
  /** The step's scratch folder: the joined video is written there. */
  workDir: string;
  signal: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface FarmEncodeResult extends FarmResult {
  /** How many segments the video was encoded in (1: whole). */
  segments: number;
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
}

export class FarmEncoder {
  private readonly deps: FarmEncoderDeps;

  constructor(deps: FarmEncoderDeps) {
    this.deps = deps;
  }

  async encode(input: FarmEncodeInput): Promise<FarmEncodeResult> {
    const { origin } = this.deps;
    const wholeId = origin.taskIdFor(input.jobId, input.planSha256);
    // A re-run keeps the shape it started with: a task in flight is never encoded twice.
    const tasks = origin.hasTask(wholeId)
      ? undefined
      : ((await origin.segmentsOf(wholeId)) ?? this.split(input, wholeId));
    if (!tasks) {
      const result = await origin.awaitTask({
        taskId: wholeId,
        jobId: input.jobId,
        plan: input.plan,
        signal: input.signal,
      });
      return { ...result, segments: 1 };
    }
    return this.encodeSegments(input, wholeId, tasks);
  }

  /** New segment tasks for this video, or undefined when it renders whole. */
  private split(input: FarmEncodeInput, wholeId: string): OriginTask[] | undefined {
    const parts = planSegments(input.plan, this.deps.capacity(), this.deps.policy());
    if (parts.length < 2) return undefined;
    // Fresh ids per split: a split dropped earlier may have left finished tasks at the coordinator.
    const nonce = randomUUID();
    return parts.map((plan) => ({
      taskId: sha256Hex(
        `${this.deps.nodeId}:${wholeId}:segment:${plan.segment?.index}/${parts.length}:${nonce}`,
      ),
      plan,
      done: false,
    }));
  }

  private async encodeSegments(
    input: FarmEncodeInput,
    wholeId: string,
    tasks: OriginTask[],
  ): Promise<FarmEncodeResult> {
    const { origin } = this.deps;
    log.info('video split into segments', {
      job: input.jobId,
      task: wholeId,
      segments: tasks.map((t) => ({
        task: t.taskId,
        scenes: t.plan.segment?.sceneCount,
        frames: encodeSpan(t.plan).frameCount,
      })),
    });
    let back = 0;
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
            back++;
            input.onProgress?.((SEGMENTS_SHARE * back) / tasks.length);
            return result;
          }),
      ),
    );
    const ffmpeg = await this.deps.ffmpeg();
    // The audio needs no segment: it is encoded here while the farm encodes the picture.
    const audio = encodeAudioTrack(
      {
        ffmpegPath: ffmpeg.ffmpegPath,
        plan: input.plan,
        assetPaths: await this.linkAudio(input.plan, input.workDir),
        outPath: join(input.workDir, 'audio.m4a'),
      },
      { signal: input.signal },
    );
    const [results, audioPath] = await Promise.all([segments, audio]);
    const joined = await joinSegments(
      {
        ffmpegPath: ffmpeg.ffmpegPath,
        ffprobePath: ffmpeg.ffprobePath,
        plan: input.plan,
        segmentPaths: results.map((r) => r.path),
        audioPath,
        outPath: join(input.workDir, 'video.mp4'),
      },
      {
        signal: input.signal,
        onProgress: (p) => input.onProgress?.(SEGMENTS_SHARE + (1 - SEGMENTS_SHARE) * p.fraction),
      },
    );
    // The joined video is the step's now; the segments were only a means to it.
    await origin.dropSegments(wholeId);
    const encoder = results[0]?.encoder ?? 'unknown';
    return {
      path: joined.outPath,
      sha256: (await sha256File(joined.outPath)).sha256,
      encoder,
      segments: tasks.length,
    };
  }

  /** ffmpeg recognises audio by content, but a real extension on a symlink costs nothing and helps. */
  private async linkAudio(plan: RenderPlan, workDir: string): Promise<Record<string, string>> {
    const dir = join(workDir, 'audio');
    await mkdir(dir, { recursive: true });
    const ids = [plan.audio.narration, ...(plan.audio.music ? [plan.audio.music.asset] : [])];
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

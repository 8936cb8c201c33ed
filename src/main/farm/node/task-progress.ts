/**
 * How the origin follows its tasks on the farm: the coordinator knows every lease's progress, frames
 * per second and speed (from the workers' heartbeats), so the origin asks it once a second and turns
 * the answer into its encode step's progress — one video, whether it is encoded whole or in segments.
 */
import type { RunningEncode } from '../../../shared/contract.ts';
import { combineParts, type ProgressRate } from '../../../shared/progress-rate.ts';
import { createLogger } from '../../log/logger.ts';

const log = createLogger('FarmTaskProgress');
const FOLLOW_EVERY_MS = 1000;

export interface FollowedTask {
  taskId: string;
  /** How much video the task is, so a long segment weighs more than a short one. */
  videoMs: number;
}

export interface TaskFollower {
  /** A task's video is back here: it counts as whole from now on. */
  finished(taskId: string): void;
  stop(): void;
}

/** The video's progress from what the farm encodes now (pure): tasks back count whole, queued ones as 0. */
export function videoProgress(
  tasks: readonly FollowedTask[],
  finished: ReadonlySet<string>,
  encodes: readonly RunningEncode[],
): { fraction: number; rate?: ProgressRate } {
  const running = new Map(encodes.map((e) => [e.taskId, e]));
  return combineParts(
    tasks.map((task) => {
      const encode = running.get(task.taskId);
      return {
        durationMs: task.videoMs,
        fraction: finished.has(task.taskId) ? 1 : (encode?.progress ?? 0),
        rate: encode?.rate,
      };
    }),
  );
}

export function followTasks(input: {
  tasks: readonly FollowedTask[];
  /** The coordinator's running encodes (undefined while it cannot be asked). */
  encodes: () => Promise<RunningEncode[] | undefined>;
  onProgress: (fraction: number, rate?: ProgressRate) => void;
  everyMs?: number;
}): TaskFollower {
  const finished = new Set<string>();
  let last: RunningEncode[] = [];
  let asking = false;
  const report = () => {
    const { fraction, rate } = videoProgress(input.tasks, finished, last);
    input.onProgress(fraction, rate);
  };
  const ask = async () => {
    if (asking) return;
    asking = true;
    try {
      const encodes = await input.encodes();
      if (!timer) return;
      if (encodes) last = encodes;
      report();
    } catch (error) {
      log.debug('could not ask the coordinator how the encodes go', { error: String(error) });
    } finally {
      asking = false;
    }
  };
  let timer: NodeJS.Timeout | null = setInterval(() => void ask(), input.everyMs ?? FOLLOW_EVERY_MS);
  return {
    finished(taskId) {
      finished.add(taskId);
      if (timer) report();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

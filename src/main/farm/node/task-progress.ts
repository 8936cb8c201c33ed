/**
 * How the origin follows its tasks on the farm: the coordinator knows every lease's progress, frames
 * per second and speed (from the workers' heartbeats), so the origin asks it once a second and hands
 * each task's figures to its encode step — a whole video directly, a split one through the segmented
 * encode, which combines its segments (segments/segmented-encode.ts).
 */
import type { RunningEncode } from '../../../shared/contract.ts';
import type { ProgressRate } from '../../../shared/progress-rate.ts';
import { createLogger } from '../../log/logger.ts';

const log = createLogger('FarmTaskProgress');
const FOLLOW_EVERY_MS = 1000;

export interface TaskFollower {
  stop(): void;
}

/**
 * Asks for the farm's running encodes every `everyMs` and reports each followed task that is running
 * (`index` is its place in `taskIds`). A task waiting for a worker, or already back, is not reported:
 * the caller knows those (0, and 1 when its video arrives).
 */
export function followTasks(input: {
  taskIds: readonly string[];
  /** The coordinator's running encodes (undefined while it cannot be asked). */
  encodes: () => Promise<RunningEncode[] | undefined>;
  onProgress: (index: number, fraction: number, rate?: ProgressRate) => void;
  everyMs?: number;
}): TaskFollower {
  const indexOf = new Map(input.taskIds.map((id, index) => [id, index]));
  let asking = false;
  const ask = async () => {
    if (asking) return;
    asking = true;
    try {
      const encodes = await input.encodes();
      if (!timer || !encodes) return;
      for (const encode of encodes) {
        const index = indexOf.get(encode.taskId);
        if (index !== undefined) input.onProgress(index, encode.progress, encode.rate);
      }
    } catch (error) {
      log.debug('could not ask the coordinator how the encodes go', { error: String(error) });
    } finally {
      asking = false;
    }
  };
  let timer: NodeJS.Timeout | null = setInterval(() => void ask(), input.everyMs ?? FOLLOW_EVERY_MS);
  return {
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

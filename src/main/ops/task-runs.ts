/**
 * Which changes of a farm task end an attempt, and what that attempt was: a pure reading of the
 * coordinator's task transitions (farm/queue/task-transitions.ts) for the history, the metrics and the
 * daily summary. The shapes are declared here, as much of a task as monitoring reads.
 */
import type { TaskRun } from '../../shared/contract.ts';

/** The part of a farm task monitoring looks at. */
export interface ObservedTask {
  id: string;
  jobId: string;
  originNodeId: string;
  status: 'queued' | 'leased' | 'done' | 'failed';
  attempts: number;
  lease?: { id: string; workerId: string; grantedAt: number } | undefined;
  finishedAt?: number | undefined;
  updatedAt: number;
  /** The RenderPlan (unknown to the queue): read only for how much video it is. */
  plan: unknown;
}

/**
 * The attempt a change ended, or null. An attempt ends when the lease it ran under goes: the task is
 * done, failed for good, or back in the queue with one more attempt counted (retried). A lease handed
 * back by a busy worker before it started (no attempt counted) is no attempt at all.
 */
export function endedRun(before: ObservedTask | undefined, after: ObservedTask): TaskRun | null {
  const lease = before?.lease;
  if (!before || !lease || after.lease?.id === lease.id) return null;
  let outcome: TaskRun['outcome'];
  if (after.status === 'done') outcome = 'done';
  else if (after.status === 'failed') outcome = 'failed';
  else if (after.attempts > before.attempts) outcome = 'retried';
  else return null;
  const { videoMs, segment } = videoOf(after.plan);
  return {
    taskId: after.id,
    jobId: after.jobId,
    originNodeId: after.originNodeId,
    workerId: lease.workerId,
    startedAt: lease.grantedAt,
    endedAt: Math.max(lease.grantedAt, after.finishedAt ?? after.updatedAt),
    outcome,
    videoSeconds: videoMs / 1000,
    segment,
  };
}

/**
 * How much video a plan asks for: its segment's frames, or its whole duration. The plan came over the
 * network and was checked when it was submitted; here a malformed one simply counts as no video.
 */
export function videoOf(plan: unknown): { videoMs: number; segment: number | null } {
  const p = plan as {
    durationMs?: unknown;
    output?: { fps?: unknown };
    segment?: { index?: unknown; frameCount?: unknown };
  } | null;
  const fps = typeof p?.output?.fps === 'number' && p.output.fps > 0 ? p.output.fps : null;
  const segment = p?.segment;
  if (segment && typeof segment.frameCount === 'number' && fps) {
    return {
      videoMs: Math.round((segment.frameCount * 1000) / fps),
      segment: typeof segment.index === 'number' ? segment.index : null,
    };
  }
  const duration = typeof p?.durationMs === 'number' && p.durationMs > 0 ? p.durationMs : 0;
  return { videoMs: Math.round(duration), segment: null };
}

/** Seconds of rendering per minute of video, over finished renders; null when there were none. */
export function renderSecondsPerVideoMinute(runs: readonly TaskRun[]): number | null {
  let renderSeconds = 0;
  let videoMinutes = 0;
  for (const run of runs) {
    if (run.outcome !== 'done' || run.videoSeconds <= 0) continue;
    renderSeconds += (run.endedAt - run.startedAt) / 1000;
    videoMinutes += run.videoSeconds / 60;
  }
  return videoMinutes > 0 ? renderSeconds / videoMinutes : null;
}

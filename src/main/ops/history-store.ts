/**
 * The farm's history in SQLite (tables `ops_task_runs` and `ops_queue_samples`, made by the migrations):
 * written by the coordinator as tasks end and the queue moves, read by the dashboard, pruned by age.
 */
import { and, count, desc, gte, lt } from 'drizzle-orm';
import { HISTORY_LIMITS, type QueueSample, type TaskRun } from '../../shared/contract.ts';
import type { Db } from '../db/open.ts';
import { opsQueueSamples, opsTaskRuns } from '../db/schema.ts';

/** The most rows one read returns (the newest): a reply stays a few megabytes at most. */
export const MAX_RUNS = HISTORY_LIMITS.runs;
export const MAX_SAMPLES = HISTORY_LIMITS.samples;

export class HistoryStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  addRun(run: TaskRun): void {
    this.db
      .insert(opsTaskRuns)
      .values({
        taskId: run.taskId,
        jobId: run.jobId,
        originNodeId: run.originNodeId,
        workerId: run.workerId,
        startedAt: Math.round(run.startedAt),
        endedAt: Math.round(run.endedAt),
        outcome: run.outcome,
        videoMs: Math.round(run.videoSeconds * 1000),
        segment: run.segment,
      })
      .run();
  }

  /** One sample per millisecond at most: a second write at the same time replaces the first. */
  addSample(sample: QueueSample): void {
    const at = Math.round(sample.at);
    this.db
      .insert(opsQueueSamples)
      .values({ at, queued: sample.queued, running: sample.running })
      .onConflictDoUpdate({
        target: opsQueueSamples.at,
        set: { queued: sample.queued, running: sample.running },
      })
      .run();
  }

  /** Attempts that ended in [since, until), oldest first. */
  runs(since: number, until = Number.MAX_SAFE_INTEGER): TaskRun[] {
    const rows = this.db
      .select()
      .from(opsTaskRuns)
      .where(and(gte(opsTaskRuns.endedAt, since), lt(opsTaskRuns.endedAt, until)))
      .orderBy(desc(opsTaskRuns.endedAt))
      .limit(MAX_RUNS)
      .all();
    return rows.reverse().map((row) => ({
      taskId: row.taskId,
      jobId: row.jobId,
      originNodeId: row.originNodeId,
      workerId: row.workerId,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
      outcome: row.outcome,
      videoSeconds: row.videoMs / 1000,
      segment: row.segment,
    }));
  }

  /** Queue samples from `since` on, oldest first. */
  samples(since: number): QueueSample[] {
    const rows = this.db
      .select()
      .from(opsQueueSamples)
      .where(gte(opsQueueSamples.at, since))
      .orderBy(desc(opsQueueSamples.at))
      .limit(MAX_SAMPLES)
      .all();
    return rows.reverse();
  }

  /** The newest sample before `at`, so a chart knows where the line stood when its window opens. */
  sampleBefore(at: number): QueueSample | undefined {
    return this.db
      .select()
      .from(opsQueueSamples)
      .where(lt(opsQueueSamples.at, at))
      .orderBy(desc(opsQueueSamples.at))
      .limit(1)
      .get();
  }

  /** Forgets what is older than `before` (the retention); returns how many rows went. */
  prune(before: number): { runs: number; samples: number } {
    const runs = this.db.delete(opsTaskRuns).where(lt(opsTaskRuns.endedAt, before)).run().changes;
    const samples = this.db.delete(opsQueueSamples).where(lt(opsQueueSamples.at, before)).run().changes;
    return { runs, samples };
  }

  /** How many rows each table holds. */
  counts(): { runs: number; samples: number } {
    const runs = this.db.select({ n: count() }).from(opsTaskRuns).get()?.n ?? 0;
    const samples = this.db.select({ n: count() }).from(opsQueueSamples).get()?.n ?? 0;
    return { runs, samples };
  }
}

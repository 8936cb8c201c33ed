/**
 * What a node reads from the coordinator for its status and dashboard, checked as it arrives: the
 * coordinator is whichever key holder won the election, and its replies went to every browser and
 * window as they came. Cast unchecked, a task id that was a number or a history ten million years
 * long blanked the Farm and Dashboard screens of every node, and a 6 MB error text went out in every
 * status event. Bounds are those the coordinator's own code keeps, with room.
 */
import { z } from 'zod';
import {
  FarmBlockSchema,
  FarmTaskViewSchema,
  HISTORY_LIMITS,
  QueueSampleSchema,
  TaskRunSchema,
} from '../../../shared/contract.ts';

const count = z.number().int().min(0);
const id = z.string().max(128);
/** The queue keeps 2,000 characters of a task's last error, a block 500. */
const errorText = z.string().max(2001);
/** Unfinished tasks and those failed within the hour: a farm's busiest day fits. */
const MAX_TASKS = 10_000;
const MAX_BLOCKS = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export const QueueReplySchema = z.object({
  queued: count,
  running: count,
  done: count,
  failed: count,
  tasks: z
    .array(
      FarmTaskViewSchema.omit({ originName: true, workerName: true }).extend({
        id,
        jobId: id,
        originNodeId: id,
        workerId: id.nullable(),
        lastError: errorText.nullable(),
      }),
    )
    .max(MAX_TASKS),
  blocks: z
    .array(
      FarmBlockSchema.omit({ workerName: true }).extend({
        originNodeId: id,
        jobId: id,
        workerId: id,
        lastError: errorText,
      }),
    )
    .max(MAX_BLOCKS),
  blockLimit: count,
});
export type QueueReply = z.infer<typeof QueueReplySchema>;

export const HistoryReplySchema = z
  .object({
    coordinatorId: id,
    from: z.number().min(0),
    to: z.number().min(0),
    samples: z.array(QueueSampleSchema).max(HISTORY_LIMITS.samples),
    runs: z
      .array(TaskRunSchema.extend({ taskId: id, jobId: id, originNodeId: id, workerId: id }))
      .max(HISTORY_LIMITS.runs),
  })
  // The dashboard draws from `from` to `to`: a span of years would be millions of buckets.
  .refine(
    (history) => history.to >= history.from && history.to - history.from <= 40 * DAY_MS,
    'a span of at most 40 days',
  );

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
  QUEUE_VIEW_LIMITS,
  QueueSampleSchema,
  TaskRunSchema,
} from '../../../shared/contract.ts';

const count = z.number().int().min(0);
const id = z.string().max(128);
/** The queue keeps so many characters of a failure, and an ellipsis. */
const errorText = z.string().max(QUEUE_VIEW_LIMITS.errorChars + 1);
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
    .max(QUEUE_VIEW_LIMITS.tasks),
  blocks: z
    .array(
      FarmBlockSchema.omit({ workerName: true }).extend({
        originNodeId: id,
        jobId: id,
        workerId: id,
        lastError: errorText,
      }),
    )
    .max(QUEUE_VIEW_LIMITS.blocks),
  blockLimit: count,
});

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
  // The dashboard draws from `from` to `to`: a span of years would be millions of buckets. Only the
  // span is checked (the coordinator's clock may be behind this node's).
  .refine((history) => Math.abs(history.to - history.from) <= 40 * DAY_MS, 'a span of at most 40 days');

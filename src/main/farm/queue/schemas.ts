/**
 * Schemas for everything that reaches the queue from the network (submissions, registrations,
 * heartbeats, announcements). Ids match strict patterns so an id can never smuggle a path or markup
 * into logs, the database or status pages. The HTTP layer can reuse them to answer 400 early.
 */
import { z } from 'zod';
import { PRIORITY_LIMIT } from '../../../shared/contract.ts';
import { ProgressRateSchema } from '../../../shared/progress-rate.ts';

/** sha256(origin nodeId + job id + step input hash), as FARM.md defines it. */
export const TASK_ID_PATTERN = /^[0-9a-f]{64}$/;
/** 16 random bytes in hex. */
export const LEASE_ID_PATTERN = /^[0-9a-f]{32}$/;
export const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const taskId = z.string().regex(TASK_ID_PATTERN, 'task id must be 64 lower-case hex digits');
const leaseId = z.string().regex(LEASE_ID_PATTERN, 'lease id must be 32 lower-case hex digits');
const nodeId = z.string().regex(NODE_ID_PATTERN, 'node id must be 1-64 letters, digits, _ or -');
const encoder = z.string().regex(/^[a-z0-9_]{1,64}$/, 'encoder must be an ffmpeg encoder name');
const httpUrl = z
  .string()
  .max(2048)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'must be an http URL');
const time = z.number().int().nonnegative();

/** What an origin submits; the queue fills in the state. */
export const taskInputSchema = z.strictObject({
  id: taskId,
  originNodeId: nodeId,
  originUrl: httpUrl,
  jobId: nodeId,
  priority: z.number().int().min(-PRIORITY_LIMIT).max(PRIORITY_LIMIT),
  /** Defaults to the submission time. */
  createdAt: time.optional(),
  /** The RenderPlan: the queue never looks inside. */
  plan: z.unknown().refine((plan) => plan !== undefined && plan !== null, 'plan is required'),
  requirements: z.strictObject({ encoders: z.array(encoder).max(32) }),
});

export const workerInfoSchema = z.strictObject({
  id: nodeId,
  url: httpUrl,
  encoders: z.array(encoder).max(32),
  maxConcurrency: z.number().int().min(1).max(256),
  /** Defaults to maxConcurrency minus the leases it already holds. */
  freeSlots: z.number().int().min(0).max(256).optional(),
  /** The farm protocol it speaks (absent: 1) and the app's version, for the coordinator's records. */
  protocol: z.number().int().min(0).max(9999).optional(),
  version: z.string().min(1).max(64).optional(),
});

export const heartbeatReportSchema = z.strictObject({
  freeSlots: z.number().int().min(0).max(256),
  leases: z
    .array(
      z.strictObject({
        leaseId,
        progress: z.number().min(0).max(1).optional(),
        // How fast the encode goes and when it will be done, for status and the origin's job view.
        ...ProgressRateSchema.shape,
      }),
    )
    .max(256),
});

export const announcedLeaseSchema = z.strictObject({ leaseId, taskId, workerId: nodeId });

/** What one node re-announces to a new coordinator: its unfinished tasks (as origin), its leases (as worker). */
export const announcementSchema = z.strictObject({
  nodeId,
  tasks: z.array(taskInputSchema).max(100_000).optional(),
  leases: z.array(announcedLeaseSchema).max(256).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new FarmInputError(`invalid ${what}: ${issues.join('; ')}`);
}

/** Thrown for malformed input: the HTTP layer maps it to 400. */
export class FarmInputError extends Error {
  override name = 'FarmInputError';
}

export const parseTaskInput = (value: unknown) => parse(taskInputSchema, value, 'task');
export const parseWorkerInfo = (value: unknown) => parse(workerInfoSchema, value, 'worker');
export const parseHeartbeat = (value: unknown) => parse(heartbeatReportSchema, value, 'heartbeat');
export const parseAnnouncement = (value: unknown) => parse(announcementSchema, value, 'announcement');

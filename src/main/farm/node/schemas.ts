/** Bodies of the node-to-node calls that are not the queue's own (those live in farm/queue/schemas.ts). */
import { z } from 'zod';
import {
  MEDIA_LIMITS,
  MediaManifestSchema,
  MediaPathSchema,
  PrioritySchema,
  Sha256Schema,
} from '../../../shared/contract.ts';
import { RenderPlanSchema } from '../../../shared/render-plan.ts';
import { LEASE_ID_PATTERN, NODE_ID_PATTERN, TASK_ID_PATTERN } from '../queue/index.ts';

const taskId = z.string().regex(TASK_ID_PATTERN);
const leaseId = z.string().regex(LEASE_ID_PATTERN);
const nodeId = z.string().regex(NODE_ID_PATTERN);

/** Path parameters of the routes that name a task or a lease. */
export const taskParams = z.object({ taskId });
export const leaseParams = z.object({ leaseId });
export { leaseId as leaseIdSchema, nodeId as nodeIdSchema };

/** Coordinator → worker: encode this plan under this lease. */
export const leaseOfferSchema = z.strictObject({
  leaseId,
  taskId,
  jobId: z.string().min(1).max(64),
  originUrl: z.url().max(300),
  /** Who the origin must be: assets are fetched from, and the video uploaded to, that node only. */
  originNodeId: nodeId,
  coordinatorUrl: z.url().max(300),
  coordinatorId: nodeId,
  // Checked here, before any work: bounds, asset names that are bare file names, checksums.
  plan: RenderPlanSchema,
});
export type LeaseOffer = z.infer<typeof leaseOfferSchema>;

export const leaseFailureSchema = z.strictObject({
  taskId,
  reason: z.string().max(2000),
  retryable: z.boolean(),
});

/** Origin → coordinator: the upload checked out; it came from this worker (the lease must be its). */
export const leaseCompletionSchema = z.strictObject({ workerId: nodeId });

/** Coordinator → origin: the farm gave up on this task. */
export const taskFailureSchema = z.strictObject({ reason: z.string().max(2000) });

/** A script sent to a node to render there (`vfo submit`, the browser UI), with the media sent for it. */
export const jobSubmissionSchema = z.strictObject({
  name: z.string().regex(/^[^/\\\0]{1,120}\.(md|markdown|txt)$/i, 'a script file name ending in .md or .txt'),
  text: z.string().max(2 * 1024 * 1024),
  recipe: z.string().max(64).optional(),
  videoPreset: z.string().max(64).optional(),
  /** Files uploaded first (PUT /farm/v1/media/:sha256), placed in the script's folder at these paths. */
  media: MediaManifestSchema.optional(),
  /** Higher runs first on the farm (`vfo submit --priority`); 0 when absent. */
  priority: PrioritySchema.optional(),
});
export type JobSubmission = z.infer<typeof jobSubmissionSchema>;

/**
 * A script checked before its media are sent: what it names, and whether each is found. `sending`
 * lists the paths (relative to its folder) the sender has; 'any' counts every path inside the folder.
 */
export const scriptCheckRequestSchema = jobSubmissionSchema.omit({ media: true, priority: true }).extend({
  sending: z.union([z.literal('any'), z.array(MediaPathSchema).max(MEDIA_LIMITS.maxFiles * 4)]),
});
export type ScriptCheckRequest = z.infer<typeof scriptCheckRequestSchema>;

/** Which files (by sha256) the origin lacks. */
export const mediaWantedSchema = z.strictObject({
  sha256s: z.array(Sha256Schema).max(MEDIA_LIMITS.maxFiles * 4),
});

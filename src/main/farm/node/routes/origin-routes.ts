/**
 * What a node answers as the origin of its jobs: scripts submitted to it (checked first, their media
 * sent before them, by sha256, only those it lacks), their status, the blobs its plans need (checked as
 * they stream), the videos workers upload back, and the coordinator's word that a task was given up.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ScriptCheck } from '../../../../shared/contract.ts';
import { JOB_ID_PATTERN } from '../../../../shared/contract.ts';
import { encodeSpan } from '../../../../shared/plan-frames.ts';
import type { RenderPlan } from '../../../../shared/render-plan.ts';
import { type FarmApp, mediaUploadRoute, receiveToFile, sendCheckedFile } from '../../../http/index.ts';
import { createLogger } from '../../../log/logger.ts';
import { isOperatorCancel } from '../../queue/index.ts';
import type { BlobAnswer } from '../blob-guard.ts';
import { fromCoordinator } from '../farm-policy.ts';
import type { Origin } from '../origin.ts';
import {
  type JobSubmission,
  jobSubmissionSchema,
  leaseIdSchema,
  mediaWantedSchema,
  type ScriptCheckRequest,
  scriptCheckRequestSchema,
  taskFailureSchema,
  taskParams,
} from '../schemas.ts';
import { authorized, refuse, SIGNED } from './replies.ts';

const log = createLogger('FarmRoutes');
const MAX_RESULT_BYTES = 20 * 1024 ** 3;
/** Far above any preset's video (1080p at crf 21 is ~8 Mbit/s), for a result's size bound. */
const MAX_RESULT_BITS_PER_SECOND = 100_000_000;
/** Container, audio and captions beyond the video's bits. */
const RESULT_OVERHEAD_BYTES = 64 * 1024 ** 2;

/**
 * The most bytes a result of `plan` may be: its frames at 100 Mbit/s (or twice its preset's bitrate,
 * if more), and the container. The upload is read before the coordinator says whether its sender holds
 * the lease: a key holder's upload to a waiting task landed 20 GiB on the origin's disk before it was
 * refused.
 */
export function maxResultBytes(plan: RenderPlan): number {
  const seconds = encodeSpan(plan).frameCount / plan.output.fps;
  const bitsPerSecond = Math.max(MAX_RESULT_BITS_PER_SECOND, 2 * bitrateOf(plan.output.bitrate));
  return Math.min(MAX_RESULT_BYTES, Math.ceil((seconds * bitsPerSecond) / 8) + RESULT_OVERHEAD_BYTES);
}

/** "8M", "2500k", "800000" as bits a second (the preset's schema admits only these). */
function bitrateOf(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text);
  if (!match) return 0;
  const unit = { '': 1, k: 1e3, m: 1e6 }[(match[2] ?? '').toLowerCase() as '' | 'k' | 'm'];
  return Number(match[1]) * unit;
}

export interface OriginRouteDeps {
  origin: Pick<Origin, 'failTask' | 'isAwaiting' | 'acceptUpload' | 'resultsDir' | 'planOf'>;
  blobs: { serve(sha256: string): Promise<BlobAnswer> };
  importScript(
    submission: JobSubmission,
  ): Promise<{ ok: true; jobId: string } | { ok: false; message: string }>;
  jobView(jobId: string): unknown;
  /** A script checked before its media are sent: what it names, found or not (no job is made). */
  checkScript(request: ScriptCheckRequest): Promise<ScriptCheck>;
  /** Media sent with scripts, by sha256 (see intake/media-upload.ts). */
  media: {
    wanted(sha256s: string[]): Promise<string[]>;
    receive(body: Readable, sha256: string): Promise<unknown>;
  };
  /** The coordinator this node follows now (the only one that may report a task failed). */
  followedCoordinator(): string | null;
  /** The free disk this node keeps (storage.keepFree): a result that would leave less is refused. */
  keepFreeBytes(): number;
}

/** A blob, checked as it streams, or why it is not sent (see blob-guard.ts). */
export function sendBlob(reply: FastifyReply, answer: BlobAnswer) {
  if ('refused' in answer) return refuse(reply, answer.refused, answer.code, answer.message);
  return sendCheckedFile(reply, answer.path, answer.expect);
}

export function originRoutes(app: FarmApp, deps: OriginRouteDeps): void {
  app.post(
    '/farm/v1/tasks/:taskId/failed',
    { ...SIGNED, schema: { params: taskParams, body: taskFailureSchema } },
    (request, reply) =>
      authorized(
        reply,
        fromCoordinator(request.caller as string, deps.followedCoordinator(), 'report a task failed'),
        () => ({
          known: deps.origin.failTask(request.params.taskId, request.body.reason, {
            byOperator: isOperatorCancel(request.body.reason),
          }),
        }),
      ),
  );
  app.get(
    '/farm/v1/blobs/:sha256',
    { ...SIGNED, schema: { params: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }) } },
    async (request, reply) => sendBlob(reply, await deps.blobs.serve(request.params.sha256)),
  );
  app.put(
    '/farm/v1/results/:taskId',
    {
      config: { auth: 'farm', upload: true },
      bodyLimit: MAX_RESULT_BYTES,
      schema: {
        params: taskParams,
        querystring: z.object({
          lease: leaseIdSchema,
          encoder: z.string().regex(/^[a-z0-9_]{1,40}$/),
          // The worker's first encoder failed at run time and it used this one instead (encoder-fallback.ts).
          fallbackFrom: z
            .string()
            .regex(/^[a-z0-9_]{1,40}$/)
            .optional(),
          fallbackReason: z.string().max(500).optional(),
        }),
      },
    },
    async (request, reply) => {
      const { taskId } = request.params;
      const { lease, encoder, fallbackFrom, fallbackReason } = request.query;
      // Not worth a byte more of the upload: the rest is dropped with the connection.
      const plan = deps.origin.planOf(taskId);
      if (!plan || !deps.origin.isAwaiting(taskId))
        return refuse(reply, 409, 'stale', 'this task has no result pending here');
      const maxBytes = maxResultBytes(plan);
      const declared = Number(request.headers['content-length']);
      if (declared > maxBytes)
        return refuse(reply, 413, 'too-large', `a result of this task is at most ${maxBytes} bytes`);
      const dest = join(deps.origin.resultsDir(), `${taskId}-${lease}.mp4`);
      // The body stream checks itself against the signed sha256 and the size as it lands (uploads.ts).
      const file = await receiveToFile(request.body as Readable, dest, {
        maxBytes,
        keepFreeBytes: deps.keepFreeBytes(),
      });
      try {
        const accepted = await deps.origin.acceptUpload({
          taskId,
          leaseId: lease,
          tempPath: file.path,
          sha256: file.sha256,
          encoder,
          ...(fallbackFrom ? { fallback: { from: fallbackFrom, reason: fallbackReason ?? 'unknown' } } : {}),
          // The coordinator accepts it only if this signed uploader holds the lease.
          workerId: request.caller as string,
        });
        if (accepted) return { accepted: true };
      } catch (error) {
        log.warn('an uploaded result failed its checks', { task: taskId, error: String(error) });
      }
      await rm(file.path, { force: true });
      return refuse(
        reply,
        409,
        'stale',
        'result refused: the lease no longer holds this task, or the video is wrong',
      );
    },
  );
  app.post('/farm/v1/jobs', { ...SIGNED, schema: { body: jobSubmissionSchema } }, async (request, reply) => {
    const outcome = await deps.importScript(request.body);
    return outcome.ok ? { jobId: outcome.jobId } : refuse(reply, 422, 'invalid-script', outcome.message);
  });
  app.post(
    '/farm/v1/scripts/check',
    { ...SIGNED, schema: { body: scriptCheckRequestSchema } },
    async (request) => deps.checkScript(request.body),
  );
  app.post('/farm/v1/media/wanted', { ...SIGNED, schema: { body: mediaWantedSchema } }, async (request) => ({
    wanted: await deps.media.wanted(request.body.sha256s),
  }));
  mediaUploadRoute(app, '/farm/v1/media/:sha256', 'farm', (body, sha256) => deps.media.receive(body, sha256));
  app.get(
    '/farm/v1/jobs/:jobId',
    { ...SIGNED, schema: { params: z.object({ jobId: z.string().regex(JOB_ID_PATTERN) }) } },
    (request, reply) => deps.jobView(request.params.jobId) ?? refuse(reply, 404, 'not-found', 'no such job'),
  );
}

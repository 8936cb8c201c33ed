import { join } from 'node:path';
import { z } from 'zod';
import { validateRenderPlan } from '../../../shared/render-plan.ts';
import { createLogger } from '../../log/logger.ts';
import { coordinatorClaimSchema } from '../cluster/hello-schema.ts';
import { errorReply, jsonRoute, type Route, receiveToFile } from '../net/index.ts';
import {
  announcementSchema,
  heartbeatReportSchema,
  LEASE_ID_PATTERN,
  TASK_ID_PATTERN,
  taskInputSchema,
  workerInfoSchema,
} from '../queue/index.ts';
import { BlobGuard, failTasksNeeding } from './blob-guard.ts';
import type { FarmNode } from './farm-node.ts';
import {
  fromCoordinator,
  mayAnnounce,
  mayComplete,
  mayFail,
  speaksForItself,
  type Verdict,
} from './farm-policy.ts';
import {
  jobSubmissionSchema,
  leaseCompletionSchema,
  leaseFailureSchema,
  leaseOfferSchema,
  taskFailureSchema,
} from './schemas.ts';

const log = createLogger('FarmRoutes');
const JOB_ID = /^[0-9a-f-]{36}$/;

/** A refusal by role (the caller is authenticated, but may not do this): 403 with the reason. */
const forbidden = (reason: string) => errorReply(403, 'forbidden', reason);

function refuse(reason: string) {
  log.warn('call refused by role', { reason });
  return forbidden(reason);
}

/** Runs `act` only when `verdict` allows it. */
function authorized<T>(verdict: Verdict, act: () => T) {
  return verdict === null ? act() : refuse(verdict);
}

/**
 * Every node-to-node endpoint of FARM.md; all signed by their sender (`nodeId` below is the
 * authenticated caller) and authorised by role (farm-policy.ts).
 */
export function farmRoutes(node: FarmNode): Route[] {
  const coordinatorOnly = () => {
    const coordinator = node.coordinator;
    return coordinator?.active ? coordinator.queue : null;
  };
  const notCoordinator = () => errorReply(409, 'not-coordinator', 'this node is not the coordinator');
  const followed = () => node.member.election().coordinator?.id ?? null;
  const blobs = new BlobGuard({
    pathFor: (sha256) => node.engine.blobs.pathFor(sha256),
    repair: (sha256) => node.engine.repairBlob(sha256),
    lost: (sha256, reason) => failTasksNeeding(node.origin, sha256, reason),
  });
  return [
    { method: 'GET', pattern: '/farm/v1/hello', auth: 'farm', handler: () => node.member.helloInfo() },
    jsonRoute({
      method: 'POST',
      pattern: '/farm/v1/coordinator',
      auth: 'farm',
      body: 'json',
      schema: coordinatorClaimSchema,
      handler: ({ body, nodeId }) =>
        authorized(speaksForItself(nodeId as string, body.id, 'claim to be coordinator'), () => ({
          accepted: node.member.receiveClaim(body).accepted,
        })),
    }),
    jsonRoute({
      method: 'POST',
      pattern: '/farm/v1/workers',
      auth: 'farm',
      body: 'json',
      schema: workerInfoSchema,
      handler: ({ body, nodeId }) => {
        const queue = coordinatorOnly();
        if (!queue) return notCoordinator();
        return authorized(speaksForItself(nodeId as string, body.id, 'register as a worker'), () => {
          queue.registerWorker(body);
          return { registered: true };
        });
      },
    }),
    jsonRoute({
      method: 'POST',
      pattern: '/farm/v1/heartbeat',
      auth: 'farm',
      body: 'json',
      schema: heartbeatReportSchema,
      handler: ({ body, nodeId }) => {
        const queue = coordinatorOnly();
        if (!queue) return notCoordinator();
        return queue.heartbeat(nodeId as string, body);
      },
    }),
    jsonRoute({
      method: 'POST',
      pattern: '/farm/v1/tasks',
      auth: 'farm',
      body: 'json',
      schema: taskInputSchema.refine((task) => validateRenderPlan(task.plan).ok, {
        message: 'plan is not a valid RenderPlan',
        path: ['plan'],
      }),
      handler: ({ body, nodeId }) => {
        const queue = coordinatorOnly();
        if (!queue) return notCoordinator();
        return authorized(speaksForItself(nodeId as string, body.originNodeId, 'submit tasks'), () => {
          // Only an origin running the step again resubmits a failed task: that is a retry.
          const task = queue.submit(body);
          return {
            status: task.status === 'failed' ? (queue.retry(task.id)?.status ?? task.status) : task.status,
          };
        });
      },
    }),
    jsonRoute({
      method: 'POST',
      pattern: '/farm/v1/announce',
      auth: 'farm',
      body: 'json',
      schema: announcementSchema,
      handler: ({ body, nodeId }) => {
        const queue = coordinatorOnly();
        if (!queue) return notCoordinator();
        return authorized(mayAnnounce(nodeId as string, body), () => queue.announce(body));
      },
    }),
    jsonRoute({
      method: 'POST',
      pattern: '/farm/v1/leases',
      auth: 'farm',
      body: 'json',
      schema: leaseOfferSchema,
      handler: ({ body, nodeId }) =>
        authorized(fromCoordinator(nodeId as string, followed(), 'offer leases'), () =>
          node.worker.accept(body) ? { accepted: true } : errorReply(409, 'busy', 'no free encode slot'),
        ),
    }),
    jsonRoute({
      method: 'POST',
      pattern: '/farm/v1/leases/:leaseId/complete',
      params: { leaseId: LEASE_ID_PATTERN },
      auth: 'farm',
      body: 'json',
      schema: leaseCompletionSchema,
      handler: ({ params, body, nodeId }) => {
        const queue = coordinatorOnly();
        if (!queue) return notCoordinator();
        const leaseId = params.leaseId as string;
        return authorized(mayComplete(nodeId as string, queue.leaseOf(leaseId), body.workerId), () => ({
          result: queue.complete(leaseId),
        }));
      },
    }),
    jsonRoute({
      method: 'POST',
      pattern: '/farm/v1/leases/:leaseId/fail',
      params: { leaseId: LEASE_ID_PATTERN },
      auth: 'farm',
      body: 'json',
      schema: leaseFailureSchema,
      handler: async ({ params, body, nodeId }) => {
        const coordinator = node.coordinator?.active ? node.coordinator : null;
        if (!coordinator) return notCoordinator();
        const leaseId = params.leaseId as string;
        const verdict = mayFail(nodeId as string, coordinator.queue.leaseOf(leaseId));
        if (verdict) return refuse(verdict);
        const result = coordinator.queue.fail(leaseId, body.reason, { retryable: body.retryable });
        await coordinator.notifyIfFailed(body.taskId);
        return { result };
      },
    }),
    {
      method: 'POST',
      pattern: '/farm/v1/tasks/:taskId/withdraw',
      params: { taskId: TASK_ID_PATTERN },
      auth: 'farm',
      handler: ({ params, nodeId }) => {
        const queue = coordinatorOnly();
        if (!queue) return notCoordinator();
        // Only the task's origin may withdraw it: the queue checks the (signed) caller against the task.
        const result = queue.withdraw(params.taskId as string, nodeId as string);
        return result === 'refused' ? refuse('only the task’s origin may withdraw it') : { result };
      },
    },
    {
      method: 'POST',
      pattern: '/farm/v1/tasks/:taskId/cancel',
      params: { taskId: TASK_ID_PATTERN },
      auth: 'farm',
      // An operator's cancel (any admitted node or client of the farm); the origin hears of it at once.
      handler: async ({ params, nodeId }) => {
        const coordinator = node.coordinator?.active ? node.coordinator : null;
        if (!coordinator) return notCoordinator();
        const taskId = params.taskId as string;
        const result = coordinator.queue.cancel(taskId, nodeId as string);
        if (result === 'withdrawn') await coordinator.notifyIfFailed(taskId);
        return { result };
      },
    },
    jsonRoute({
      method: 'POST',
      pattern: '/farm/v1/tasks/:taskId/failed',
      params: { taskId: TASK_ID_PATTERN },
      auth: 'farm',
      body: 'json',
      schema: taskFailureSchema,
      handler: ({ params, body, nodeId }) =>
        authorized(fromCoordinator(nodeId as string, followed(), 'report a task failed'), () => ({
          known: node.origin.failTask(params.taskId as string, body.reason),
        })),
    }),
    {
      method: 'GET',
      pattern: '/farm/v1/blobs/:sha256',
      auth: 'farm',
      // Hashed as it streams; a blob that fails is withheld and made again (blob-guard.ts).
      handler: ({ params }) => blobs.serve(params.sha256 as string),
    },
    {
      method: 'PUT',
      pattern: '/farm/v1/results/:taskId',
      params: { taskId: TASK_ID_PATTERN },
      query: z.object({
        lease: z.string().regex(LEASE_ID_PATTERN),
        encoder: z.string().regex(/^[a-z0-9_]{1,40}$/),
      }),
      auth: 'farm',
      body: 'stream',
      maxBytes: 20 * 1024 ** 3,
      handler: async ({ params, query, stream, bodySha256, nodeId }) => {
        const taskId = params.taskId as string;
        if (!bodySha256) return errorReply(400, 'missing-sha256', 'x-vfo-body-sha256 is required');
        if (!node.origin.isAwaiting(taskId)) {
          stream.resume();
          return errorReply(409, 'stale', 'this task has no result pending here');
        }
        const dest = join(node.origin.resultsDir(), `${taskId}-${query.get('lease')}.mp4`);
        const file = await receiveToFile(stream, dest, {
          maxBytes: 20 * 1024 ** 3,
          expectSha256: bodySha256,
        });
        try {
          const accepted = await node.origin.acceptUpload({
            taskId,
            leaseId: query.get('lease') as string,
            tempPath: file.path,
            sha256: file.sha256,
            encoder: query.get('encoder') as string,
            // The coordinator accepts it only if this signed uploader holds the lease.
            workerId: nodeId as string,
          });
          if (accepted) return { accepted: true };
        } catch (error) {
          log.warn('an uploaded result failed its checks', { task: taskId, error: String(error) });
        }
        const { rm } = await import('node:fs/promises');
        await rm(file.path, { force: true });
        return errorReply(
          409,
          'stale',
          'result refused: the lease no longer holds this task, or the video is wrong',
        );
      },
    },
    jsonRoute({
      method: 'POST',
      pattern: '/farm/v1/jobs',
      auth: 'farm',
      body: 'json',
      schema: jobSubmissionSchema,
      handler: async ({ body }) => {
        const outcome = await node.importScript(body);
        return outcome.ok ? { jobId: outcome.jobId } : errorReply(422, 'invalid-script', outcome.message);
      },
    }),
    {
      method: 'GET',
      pattern: '/farm/v1/jobs/:jobId',
      params: { jobId: JOB_ID },
      auth: 'farm',
      handler: ({ params }) =>
        node.jobView(params.jobId as string) ?? errorReply(404, 'not-found', 'no such job'),
    },
    {
      method: 'GET',
      pattern: '/farm/v1/queue',
      auth: 'farm',
      handler: () => coordinatorOnly()?.stats() ?? notCoordinator(),
    },
    { method: 'GET', pattern: '/api/v1/status', auth: 'farm', handler: () => node.status() },
    {
      method: 'POST',
      pattern: '/farm/v1/worker/:action',
      params: { action: /^(pause|resume|drain)$/ },
      auth: 'farm',
      handler: ({ params }) => node.setWorkerMode(params.action as 'pause' | 'resume' | 'drain'),
    },
  ];
}

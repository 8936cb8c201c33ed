/** What the coordinator answers: its queue (tasks in, leases out, results fenced) for the farm's nodes. */
import { z } from 'zod';
import { type Alert, type FarmHistory, PrioritySchema } from '../../../../shared/contract.ts';
import { validateRenderPlan } from '../../../../shared/render-plan.ts';
import type { FarmApp } from '../../../http/index.ts';
import {
  announcementSchema,
  type FarmQueue,
  heartbeatReportSchema,
  MAX_UNFINISHED_PER_ORIGIN,
  taskInputSchema,
  workerInfoSchema,
} from '../../queue/index.ts';
import { mayAnnounce, mayComplete, mayFail, ownTask, speaksForItself } from '../farm-policy.ts';
import {
  leaseCompletionSchema,
  leaseFailureSchema,
  leaseParams,
  nodeIdSchema,
  taskParams,
} from '../schemas.ts';
import { authorized, forbidden, notCoordinator, refuse, SIGNED } from './replies.ts';

export type CoordinatorQueue = Pick<
  FarmQueue,
  | 'registerWorker'
  | 'heartbeat'
  | 'getTask'
  | 'hasRoomFor'
  | 'submit'
  | 'retry'
  | 'announce'
  | 'leaseOf'
  | 'complete'
  | 'fail'
  | 'withdraw'
  | 'cancel'
  | 'requeue'
  | 'reprioritize'
  | 'clearBlocks'
  | 'stats'
  | 'encodes'
  | 'view'
>;

export interface CoordinatorRouteDeps {
  /** The queue while this node is the coordinator, else null (the calls are then refused with 409). */
  queue(): CoordinatorQueue | null;
  /** Tells a task's origin that the farm gave it up (a failure, or an operator's cancel). */
  notifyIfFailed(taskId: string): Promise<void>;
  /** The alerts this coordinator raised and that are still in force. */
  alerts(): Alert[];
  /** What the farm encoded since `since` (ms since the epoch), for the dashboard. */
  history(since: number): FarmHistory;
  /** The farm protocol of this node: a worker speaking another one is not registered. */
  protocol: number;
}

const nodeId = nodeIdSchema;
const jobParams = z.object({ jobId: nodeId });
const clearBlockSchema = z.strictObject({ originNodeId: nodeId, jobId: nodeId, workerId: nodeId.optional() });
const plannedTask = taskInputSchema.refine((task) => validateRenderPlan(task.plan).ok, {
  message: 'plan is not a valid RenderPlan',
  path: ['plan'],
});

export function coordinatorRoutes(app: FarmApp, deps: CoordinatorRouteDeps): void {
  app.post('/farm/v1/workers', { ...SIGNED, schema: { body: workerInfoSchema } }, (request, reply) => {
    const queue = deps.queue();
    if (!queue) return notCoordinator(reply);
    const protocol = request.body.protocol ?? 1;
    // A worker of another protocol would misread leases (or be misread): it gets no work here.
    if (protocol !== deps.protocol)
      return refuse(
        reply,
        409,
        'incompatible',
        `this coordinator speaks farm protocol ${deps.protocol}, the worker ${protocol}: it gets no work`,
      );
    return authorized(
      reply,
      speaksForItself(request.caller as string, request.body.id, 'register as a worker'),
      () => {
        queue.registerWorker(request.body);
        return { registered: true };
      },
    );
  });
  app.post('/farm/v1/heartbeat', { ...SIGNED, schema: { body: heartbeatReportSchema } }, (request, reply) => {
    const queue = deps.queue();
    // The queue renews only the leases that are this caller's own.
    return queue ? queue.heartbeat(request.caller as string, request.body) : notCoordinator(reply);
  });
  app.post('/farm/v1/tasks', { ...SIGNED, schema: { body: plannedTask } }, (request, reply) => {
    const queue = deps.queue();
    if (!queue) return notCoordinator(reply);
    return authorized(
      reply,
      speaksForItself(request.caller as string, request.body.originNodeId, 'submit tasks') ??
        ownTask(request.caller as string, queue.getTask(request.body.id)),
      () => {
        if (!queue.getTask(request.body.id) && !queue.hasRoomFor(request.body.originNodeId))
          return refuse(
            reply,
            429,
            'queue-full',
            `an origin may have ${MAX_UNFINISHED_PER_ORIGIN} unfinished tasks`,
          );
        // Only an origin running the step again resubmits a failed task: that is a retry.
        const task = queue.submit(request.body);
        return {
          status: task.status === 'failed' ? (queue.retry(task.id)?.status ?? task.status) : task.status,
        };
      },
    );
  });
  app.post('/farm/v1/announce', { ...SIGNED, schema: { body: announcementSchema } }, (request, reply) => {
    const queue = deps.queue();
    if (!queue) return notCoordinator(reply);
    return authorized(reply, mayAnnounce(request.caller as string, request.body), () =>
      queue.announce(request.body),
    );
  });
  app.post(
    '/farm/v1/leases/:leaseId/complete',
    { ...SIGNED, schema: { params: leaseParams, body: leaseCompletionSchema } },
    (request, reply) => {
      const queue = deps.queue();
      if (!queue) return notCoordinator(reply);
      const { leaseId } = request.params;
      const verdict = mayComplete(request.caller as string, queue.leaseOf(leaseId), request.body.workerId);
      return authorized(reply, verdict, () => ({ result: queue.complete(leaseId) }));
    },
  );
  app.post(
    '/farm/v1/leases/:leaseId/fail',
    { ...SIGNED, schema: { params: leaseParams, body: leaseFailureSchema } },
    async (request, reply) => {
      const queue = deps.queue();
      if (!queue) return notCoordinator(reply);
      const { leaseId } = request.params;
      const verdict = mayFail(request.caller as string, queue.leaseOf(leaseId));
      if (verdict) return forbidden(reply, verdict);
      const result = queue.fail(leaseId, request.body.reason, { retryable: request.body.retryable });
      await deps.notifyIfFailed(request.body.taskId);
      return { result };
    },
  );
  app.post(
    '/farm/v1/tasks/:taskId/withdraw',
    { ...SIGNED, schema: { params: taskParams } },
    (request, reply) => {
      const queue = deps.queue();
      if (!queue) return notCoordinator(reply);
      // Only the task's origin may withdraw it: the queue checks the (signed) caller against the task.
      const result = queue.withdraw(request.params.taskId, request.caller as string);
      return result === 'refused' ? forbidden(reply, 'only the task’s origin may withdraw it') : { result };
    },
  );
  // An operator's cancel (any admitted node or client of the farm); the origin hears of it at once.
  app.post(
    '/farm/v1/tasks/:taskId/cancel',
    { ...SIGNED, schema: { params: taskParams } },
    async (request, reply) => {
      const queue = deps.queue();
      if (!queue) return notCoordinator(reply);
      const result = queue.cancel(request.params.taskId, request.caller as string);
      if (result === 'withdrawn') await deps.notifyIfFailed(request.params.taskId);
      return { result };
    },
  );
  // An operator's requeue: a leased task loses its lease (nothing counted against anyone) and waits again.
  app.post(
    '/farm/v1/tasks/:taskId/requeue',
    { ...SIGNED, schema: { params: taskParams } },
    (request, reply) => {
      const queue = deps.queue();
      if (!queue) return notCoordinator(reply);
      return { result: queue.requeue(request.params.taskId, request.caller as string) };
    },
  );
  // The origin changed its job's priority (the app): only the origin may, for its own job.
  app.post(
    '/farm/v1/jobs/:jobId/priority',
    { ...SIGNED, schema: { params: jobParams, body: z.strictObject({ priority: PrioritySchema }) } },
    (request, reply) => {
      const queue = deps.queue();
      if (!queue) return notCoordinator(reply);
      // The caller is the origin: a node can only reorder its own jobs' tasks.
      const changed = queue.reprioritize(
        request.caller as string,
        request.params.jobId,
        request.body.priority,
      );
      return { changed };
    },
  );
  // An operator lets a blocked worker take the job's tasks again.
  app.post('/farm/v1/blocks/clear', { ...SIGNED, schema: { body: clearBlockSchema } }, (request, reply) => {
    const queue = deps.queue();
    if (!queue) return notCoordinator(reply);
    const { originNodeId, jobId, workerId } = request.body;
    return { cleared: queue.clearBlocks(originNodeId, jobId, workerId) };
  });
  app.get('/farm/v1/queue', SIGNED, (_request, reply) => {
    const queue = deps.queue();
    return queue ? { ...queue.stats(), ...queue.view() } : notCoordinator(reply);
  });
  // What every node's status shows of the farm's work, and what an origin follows its encodes by.
  app.get('/farm/v1/activity', SIGNED, (_request, reply) => {
    const queue = deps.queue();
    return queue ? { alerts: deps.alerts(), encodes: queue.encodes() } : notCoordinator(reply);
  });
  app.get(
    '/farm/v1/history',
    { ...SIGNED, schema: { querystring: z.object({ since: z.coerce.number().int().min(0) }) } },
    (request, reply) => (deps.queue() ? deps.history(request.query.since) : notCoordinator(reply)),
  );
}

/** What a node answers in Redis mode besides the farm's usual routes: whether it still wants a task. */
import { z } from 'zod';
import type { FarmApp } from '../../http/index.ts';
import { SIGNED } from '../node/routes/replies.ts';
import { TASK_ID_PATTERN } from '../queue/index.ts';

export interface RedisRouteDeps {
  /** Whether a step of this node still waits for the task's video. */
  wanted(taskId: string): boolean;
}

export function redisRoutes(app: FarmApp, deps: RedisRouteDeps): void {
  // A worker asks before it encodes: a task copied back into Redis after its video arrived (a replay),
  // withdrawn, or already delivered by a worker that died before telling BullMQ, is not encoded again.
  app.get(
    '/farm/v1/tasks/:taskId/wanted',
    { ...SIGNED, schema: { params: z.object({ taskId: z.string().regex(TASK_ID_PATTERN) }) } },
    (request) => ({ wanted: deps.wanted(request.params.taskId) }),
  );
}

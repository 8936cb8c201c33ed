/** The coordinator's farm queue: see farm-queue.ts. */
export {
  FARM_QUEUE_DEFAULTS,
  FarmQueue,
  type FarmQueueOptions,
  type QueueConfig,
  randomLeaseId,
} from './farm-queue.ts';
export {
  announcementSchema,
  FarmInputError,
  heartbeatReportSchema,
  LEASE_ID_PATTERN,
  NODE_ID_PATTERN,
  TASK_ID_PATTERN,
  taskInputSchema,
  workerInfoSchema,
} from './schemas.ts';
export { createSqliteTaskStore } from './sqlite-task-store.ts';
export { createMemoryTaskStore, type TaskChanges, type TaskStore } from './task-store.ts';
export type * from './types.ts';

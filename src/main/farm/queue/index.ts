/** The coordinator's farm queue: see farm-queue.ts. */
export { FarmQueue, MAX_UNFINISHED_PER_ORIGIN } from './farm-queue.ts';
export {
  announcementSchema,
  heartbeatReportSchema,
  LEASE_ID_PATTERN,
  NODE_ID_PATTERN,
  TASK_ID_PATTERN,
  taskInputSchema,
  workerInfoSchema,
} from './schemas.ts';
export { createSqliteTaskStore } from './sqlite-task-store.ts';
export { FINISHED_TASK_RETENTION_MS, isOperatorCancel } from './task-transitions.ts';
export type * from './types.ts';

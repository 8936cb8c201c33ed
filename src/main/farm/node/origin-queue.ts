import type { TaskInput } from '../queue/index.ts';

/**
 * What the origin needs from the farm's queue, whichever holds it: the elected coordinator on a LAN
 * (coordinator-queue.ts) or Redis (farm/redis). Results themselves arrive over this node's own HTTP
 * server; the queue only carries the tasks and says which lease still holds one.
 */
export interface OriginQueue {
  /** Sends (or sends again) a task; its status there, or undefined when there is no queue to ask now. */
  submit(task: TaskInput): Promise<string | undefined>;
  /** A job's priority changed: its tasks still waiting (`taskIds`) are ordered by the new one. */
  setPriority(jobId: string, taskIds: string[], priority: number): Promise<void>;
  /** Best effort: the queue stops the task, and a worker encoding it is told to stop. */
  withdraw(taskId: string): Promise<void>;
  /**
   * Fencing: whether the lease `leaseId`, held by the (signed) uploader `workerId`, still holds the task,
   * so its upload may be kept. Throws when the queue cannot say now.
   */
  complete(lease: { taskId: string; leaseId: string; workerId: string }): Promise<'accepted' | 'stale'>;
}

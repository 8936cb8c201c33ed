/**
 * The farm queue's vocabulary. A task is one RenderPlan to encode for an origin node; a lease is one
 * worker's right to encode it until `expiresAt`. Times are milliseconds from the injected clock.
 */
import type { z } from 'zod';
import type { FarmBlock, FarmTaskView } from '../../../shared/contract.ts';
import type { ProgressRate } from '../../../shared/progress-rate.ts';
import type { FarmTaskStatus as TaskStatus } from '../../db/schema.ts';
import type {
  announcedLeaseSchema,
  announcementSchema,
  heartbeatReportSchema,
  taskInputSchema,
  workerInfoSchema,
} from './schemas.ts';

export type { TaskStatus };

// What reaches the queue from the network, as its schema (schemas.ts) declares it.
export type TaskInput = z.infer<typeof taskInputSchema>;
export type WorkerInfo = z.infer<typeof workerInfoSchema>;
export type HeartbeatReport = z.infer<typeof heartbeatReportSchema>;
export type AnnouncedLease = z.infer<typeof announcedLeaseSchema>;
export type Announcement = z.infer<typeof announcementSchema>;

export interface TaskRequirements {
  /** Any one of these encoders suffices; an empty list means any worker will do. */
  encoders: string[];
}

export interface Lease {
  /** Random and unguessable: holding it is the proof that a result belongs to this attempt. */
  id: string;
  taskId: string;
  workerId: string;
  grantedAt: number;
  renewedAt: number;
  expiresAt: number;
  /** 0..1 as last reported by a heartbeat (for status only; never persisted). */
  progress?: number;
  /** fps, speed and time left as last reported by a heartbeat (for status only; never persisted). */
  rate?: ProgressRate;
}

export interface Task {
  id: string;
  originNodeId: string;
  originUrl: string;
  jobId: string;
  /** Higher runs first; equal priorities run oldest first. */
  priority: number;
  createdAt: number;
  /** The RenderPlan as JSON: the queue never looks inside. */
  plan: unknown;
  requirements: TaskRequirements;
  status: TaskStatus;
  /** Leases that ended without a result (failure, expiry, worker removed). */
  attempts: number;
  /**
   * Failed or expired leases per worker (history: who may take the job's tasks is decided by the
   * per-job count, job-blocks.ts).
   */
  failuresByWorker: Record<string, number>;
  /** Present exactly when status is 'leased'. */
  lease?: Lease;
  /** Why the task failed for good, or why its last attempt ended. */
  lastError?: string;
  /** The lease whose result was accepted, so a retried `complete` of that same lease is accepted again. */
  completedLeaseId?: string;
  finishedAt?: number;
  updatedAt: number;
}

/** How many tasks of one job one worker failed (see job-blocks.ts); status adds the worker's name. */
export type JobFailure = Omit<FarmBlock, 'workerName'>;

export interface WorkerState {
  id: string;
  url: string;
  encoders: string[];
  maxConcurrency: number;
  /**
   * As last reported, minus leases granted since that the report did not include yet, plus slots
   * released by results since: the scheduler's best estimate until the next heartbeat.
   */
  freeSlots: number;
  /** Ids of the leases it currently holds. */
  running: string[];
  paused: boolean;
  draining: boolean;
  lastHeartbeat: number;
}

export interface HeartbeatReply {
  /** Leases the worker should stop: not (or no longer) its own. */
  cancel: string[];
  /** The worker is not registered here (e.g. a new coordinator): it should register and announce. */
  unknownWorker: boolean;
}

export interface Assignment {
  lease: Lease;
  task: Task;
  worker: WorkerState;
}

export type CompleteResult = 'accepted' | 'stale';
/** An operator's requeue: a leased task loses its lease (not counted against anyone) and waits again. */
export type RequeueResult = 'requeued' | 'queued' | 'finished' | 'unknown';
export type FailResult = 'requeued' | 'failed' | 'stale';
export type WithdrawResult = 'withdrawn' | 'finished' | 'unknown' | 'refused';

export interface RebuildResult {
  /** Unfinished tasks known after the rebuild. */
  tasks: number;
  /** Announced leases attached to their task. */
  leasesKept: number;
  /** Announced leases whose task nobody announced yet: kept alive for one lease timeout. */
  leasesPending: number;
  /** Announced leases refused (task done, failed, or already leased to another lease). */
  leasesRefused: number;
  /** Unfinished tasks this queue knew that no origin announced: forgotten. */
  dropped: number;
}

export interface QueueStats {
  queued: number;
  running: number;
  done: number;
  failed: number;
  /** Leases held per registered worker. */
  workers: Record<string, number>;
}

/** One task as status shows it (the Farm view lists them with requeue and cancel; status adds names). */
export type TaskView = Omit<FarmTaskView, 'originName' | 'workerName'>;

/** What the coordinator shows of its queue: the unfinished tasks, the recently failed ones, the blocks. */
export interface QueueView {
  tasks: TaskView[];
  blocks: JobFailure[];
  /** The per-job failure limit in force (`farm.blocklist`). */
  blockLimit: number;
}

export interface Clock {
  now(): number;
}

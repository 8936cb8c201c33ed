/** What the queue's operations share; FarmQueue owns it and passes it to the modules that act on it. */
import type { PendingLeases } from './pending-leases.ts';
import type { QueueState } from './queue-state.ts';
import type { WorkerRegistry } from './worker-registry.ts';

export interface QueueConfig {
  leaseTimeoutMs: number;
  maxAttempts: number;
  maxFailuresPerWorker: number;
}

export interface QueueContext {
  state: QueueState;
  workers: WorkerRegistry;
  pending: PendingLeases;
  config: QueueConfig;
}

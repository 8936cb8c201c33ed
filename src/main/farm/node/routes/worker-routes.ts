/** What a node answers as a worker: lease offers from the coordinator, and operators' controls. */
import { z } from 'zod';
import type { FarmApp } from '../../../http/index.ts';
import { fromCoordinator } from '../farm-policy.ts';
import { type LeaseOffer, leaseOfferSchema } from '../schemas.ts';
import { authorized, refuse, SIGNED } from './replies.ts';

export type WorkerMode = 'pause' | 'resume' | 'drain';
/** A worker's operator flags, as a control answers them. */
export interface WorkerFlags {
  paused: boolean;
  draining: boolean;
}
/** A control's answer about one node of the farm. */
export type NodeControl = WorkerFlags & { node: string };

export interface WorkerRouteDeps {
  /** Starts encoding the offer; false when no slot is free. */
  accept(offer: LeaseOffer): boolean;
  /** The coordinator this node follows now (the only one that may offer leases). */
  followedCoordinator(): string | null;
  setMode(mode: WorkerMode): WorkerFlags;
}

export function workerRoutes(app: FarmApp, deps: WorkerRouteDeps): void {
  app.post('/farm/v1/leases', { ...SIGNED, schema: { body: leaseOfferSchema } }, (request, reply) =>
    authorized(
      reply,
      fromCoordinator(request.caller as string, deps.followedCoordinator(), 'offer leases'),
      () =>
        deps.accept(request.body) ? { accepted: true } : refuse(reply, 409, 'busy', 'no free encode slot'),
    ),
  );
  app.post(
    '/farm/v1/worker/:action',
    { ...SIGNED, schema: { params: z.object({ action: z.enum(['pause', 'resume', 'drain']) }) } },
    (request) => deps.setMode(request.params.action),
  );
}

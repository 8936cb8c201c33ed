/** What a node answers its peers about itself: hello (liveness and election), coordinator claims, status. */

import type { FarmApp } from '../../../http/index.ts';
import type { CoordinatorClaim, HelloInfo } from '../../cluster/hello-schema.ts';
import { coordinatorClaimSchema } from '../../cluster/hello-schema.ts';
import { speaksForItself } from '../farm-policy.ts';
import { authorized, SIGNED } from './replies.ts';

export interface ClusterRouteDeps {
  helloInfo(): HelloInfo;
  receiveClaim(claim: CoordinatorClaim): { accepted: boolean };
  /** The farm as this node sees it (`vfo status`). */
  status(): Promise<unknown>;
}

export function clusterRoutes(app: FarmApp, deps: ClusterRouteDeps): void {
  app.get('/farm/v1/hello', SIGNED, () => deps.helloInfo());
  app.post(
    '/farm/v1/coordinator',
    { ...SIGNED, schema: { body: coordinatorClaimSchema } },
    (request, reply) =>
      authorized(
        reply,
        speaksForItself(request.caller as string, request.body.id, 'claim to be coordinator'),
        () => ({
          accepted: deps.receiveClaim(request.body).accepted,
        }),
      ),
  );
  app.get('/api/v1/status', SIGNED, () => deps.status());
}

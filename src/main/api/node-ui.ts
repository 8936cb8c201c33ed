import type { VfoEvent } from '../../shared/contract.ts';
import type { CliContext } from '../cli/context.ts';
import type { FarmApp, FarmKey } from '../farm/net/index.ts';
import type { FarmNode } from '../farm/node/farm-node.ts';
import { rendererDir } from '../paths.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { createVfoService, type VfoService } from './service.ts';
import { uiRoutes } from './ui-routes.ts';
import { UiSessions } from './ui-sessions.ts';

/** The app's UI and contract served by a node to any browser on the LAN (farm key required). */
export function nodeUi(input: {
  ctx: CliContext;
  key: FarmKey;
  secrets?: SecretStore;
  rendererDir?: string;
}) {
  let service: VfoService | null = null;
  return {
    routes: (node: FarmNode, app: FarmApp): Promise<void> => {
      service = createVfoService({
        ctx: input.ctx,
        node,
        ...(input.secrets ? { secrets: input.secrets } : {}),
      });
      return uiRoutes(app, {
        sessions: new UiSessions(input.key),
        dispatch: service.dispatch,
        engine: input.ctx.engine,
        rendererDir: input.rendererDir ?? rendererDir(),
        subscribeFarm: (listener) =>
          node.subscribeStatus(listener as (event: { type: 'farm'; status: unknown }) => void) as never,
      });
    },
    service: (): VfoService => {
      if (!service) throw new Error('the node has not been created yet');
      return service;
    },
  };
}

export type { VfoEvent };

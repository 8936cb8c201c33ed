/**
 * A farm node's server: the node's HTTP server (src/main/http) with the farm's signatures on every
 * signed route (farm-auth.ts), and the node's public identity card.
 */
import { createHttpServer, type HttpServer, type HttpServerOptions } from '../../http/server.ts';
import { installFarmAuth } from './farm-auth.ts';
import type { NodeIdentity } from './identity.ts';
import { NonceCache } from './nonce-cache.ts';
import { DEFAULT_MAX_SKEW_MS } from './signing.ts';
import type { FarmTrust } from './trust.ts';

export interface FarmServerOptions extends Omit<HttpServerOptions, 'name' | 'hooks'> {
  /** This node: requests must be signed for it, and it signs its replies. */
  identity: NodeIdentity;
  /** Whose signatures are believed (admitted by the farm key). */
  trust: FarmTrust;
  /** Milliseconds since the epoch; checked against request timestamps. */
  clock?: () => number;
  maxSkewMs?: number;
  nonces?: NonceCache;
}

export type FarmServer = HttpServer;

export function createFarmServer(options: FarmServerOptions): Promise<FarmServer> {
  const { identity, trust, clock, maxSkewMs, nonces, routes, ...http } = options;
  const { id, publicKey, admission } = identity;
  return createHttpServer({
    ...http,
    name: id,
    hooks: (app) =>
      installFarmAuth(app, {
        verifier: { trust, selfId: id },
        identity,
        clock: clock ?? Date.now,
        maxSkewMs: maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
        nonces: nonces ?? new NonceCache({ since: (clock ?? Date.now)() }),
      }),
    routes: async (app) => {
      // Public on purpose (the id is in the mDNS advert already): a client that only has a URL learns
      // whom to sign for; the admission lets it check the answer with the farm key.
      app.get('/farm/v1/identity', { config: { auth: 'none' } }, () => ({ id, publicKey, admission }));
      await routes(app);
    },
  });
}

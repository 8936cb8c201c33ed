/**
 * The farm's HTTP server: node:http with a small, strict routing layer (see handle-request.ts).
 * Every route declares its auth, body and param validators up front; see routes.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../log/logger.ts';
import { handleRequest, type RequestDeps } from './handle-request.ts';
import type { NodeIdentity } from './identity.ts';
import { NonceCache } from './nonce-cache.ts';
import { compileRoute } from './router.ts';
import type { Route } from './routes.ts';
import { DEFAULT_MAX_SKEW_MS } from './signing.ts';
import type { SseStream } from './sse.ts';
import type { FarmTrust } from './trust.ts';

export interface FarmServerOptions {
  /** This node: requests must be signed for it, and it signs its replies. */
  identity: NodeIdentity;
  /** Whose signatures are believed (admitted by the farm key). */
  trust: FarmTrust;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Milliseconds since the epoch; checked against request timestamps. */
  clock?: () => number;
  maxJsonBytes?: number;
  maxSkewMs?: number;
  routes: Route[];
  nonces?: NonceCache;
  sseKeepAliveMs?: number;
  /** A socket silent this long is dropped (uploads and SSE keep theirs busy). */
  idleTimeoutMs?: number;
  /** close() waits this long for requests in flight before cutting their connections. */
  closeGraceMs?: number;
  /** A client must have sent all its headers this soon after connecting. */
  headersTimeoutMs?: number;
  /** Open connections one address may hold; more are closed at once (slow-client floods). */
  maxConnectionsPerClient?: number;
}

export interface FarmServer {
  start(): Promise<{ url: string }>;
  close(): Promise<void>;
  /** The listening URL once started, else null. */
  readonly url: string | null;
}

export const DEFAULT_MAX_JSON_BYTES = 1024 * 1024;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 32;
/** A whole request, body included: a 20 GB upload at 100 Mbit/s fits, a trickle does not stay for ever. */
const REQUEST_TIMEOUT_MS = 60 * 60 * 1000;

export function createFarmServer(options: FarmServerOptions): FarmServer {
  const log = createLogger('FarmServer', { node: options.identity.id });
  const deps: RequestDeps = {
    identity: options.identity,
    verifier: { trust: options.trust, selfId: options.identity.id },
    clock: options.clock ?? Date.now,
    maxSkewMs: options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
    nonces: options.nonces ?? new NonceCache(),
    // A bad pattern fails here, at start-up.
    routes: [identityRoute(options.identity), ...options.routes].map(compileRoute),
    maxJsonBytes: options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
    log,
    sseStreams: new Set<SseStream>(),
    sseKeepAliveMs: options.sseKeepAliveMs ?? 15_000,
  };
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const server: Server = createServer({
    requestTimeout: Math.max(REQUEST_TIMEOUT_MS, headersTimeout + 1),
    headersTimeout,
    // Node checks both timeouts on this interval (30 s by default): a slow-header client would stay
    // connected that long whatever the timeout says.
    connectionsCheckingInterval: Math.min(1_000, headersTimeout),
  });
  server.timeout = options.idleTimeoutMs ?? 60_000;
  limitConnectionsPerClient(
    server,
    options.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
    log,
  );
  const handle = (request: IncomingMessage, response: ServerResponse, expectsContinue: boolean) => {
    handleRequest(deps, request, response, expectsContinue).catch((error: unknown) => {
      log.error('request pipeline failed', { error: String(error) });
      response.destroy();
    });
  };
  server.on('request', (request, response) => handle(request, response, false));
  // Uploads ask first: refused ones are answered before a byte of their body is sent.
  server.on('checkContinue', (request, response) => handle(request, response, true));
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    log.debug('malformed request', { error: error.message });
    // A client that can still read is told what went wrong (a timeout gets 408), then cut off.
    if (socket.writable && error.code !== 'ECONNRESET') {
      const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      setTimeout(() => socket.destroy(), 500).unref();
    } else {
      socket.destroy();
    }
  });
  let url: string | null = null;

  return {
    get url() {
      return url;
    },
    start() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          url = `http://${host}:${address.port}`;
          log.info('farm server listening', { url });
          resolve({ url });
        });
      });
    },
    close() {
      if (!server.listening) return Promise.resolve();
      for (const stream of deps.sseStreams) stream.close();
      return new Promise((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 2_000);
        server.close(() => {
          clearTimeout(cut);
          url = null;
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

/**
 * GET /farm/v1/identity: public on purpose (the id is in the mDNS advert already). A client that only
 * has a URL learns whom to sign for; the admission lets it check the answer with the farm key.
 */
function identityRoute(identity: NodeIdentity): Route {
  const { id, publicKey, admission } = identity;
  return {
    method: 'GET',
    pattern: '/farm/v1/identity',
    auth: 'none',
    handler: () => ({ id, publicKey, admission }),
  };
}

/**
 * One address may not hold more than `max` connections: 50 clients trickling headers from one
 * machine would otherwise tie up the node's sockets while real peers wait.
 */
function limitConnectionsPerClient(server: Server, max: number, log: ReturnType<typeof createLogger>): void {
  const open = new Map<string, number>();
  // One line per flood, not one per refused connection.
  const warned = new Set<string>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      if (!warned.has(address))
        log.warn('connections refused: too many from one client', { remoteAddress: address, max });
      warned.add(address);
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) {
        open.delete(address);
        warned.delete(address);
      } else open.set(address, left);
    });
  });
}

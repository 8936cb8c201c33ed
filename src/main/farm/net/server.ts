/**
 * The farm's HTTP server: node:http with a small, strict routing layer (see handle-request.ts).
 * Every route declares its auth, body and param validators up front; see routes.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../log/logger.ts';
import { handleRequest, type RequestDeps } from './handle-request.ts';
import type { FarmKey } from './key.ts';
import { NonceCache } from './nonce-cache.ts';
import { compileRoute } from './router.ts';
import type { Route } from './routes.ts';
import { DEFAULT_MAX_SKEW_MS } from './signing.ts';
import type { SseStream } from './sse.ts';

export interface FarmServerOptions {
  key: FarmKey;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** This node's id: only tags the server's log lines. */
  nodeId: string;
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
}

export interface FarmServer {
  start(): Promise<{ url: string }>;
  close(): Promise<void>;
  /** The listening URL once started, else null. */
  readonly url: string | null;
}

export const DEFAULT_MAX_JSON_BYTES = 1024 * 1024;

export function createFarmServer(options: FarmServerOptions): FarmServer {
  const log = createLogger('FarmServer', { node: options.nodeId });
  const deps: RequestDeps = {
    key: options.key,
    clock: options.clock ?? Date.now,
    maxSkewMs: options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
    nonces: options.nonces ?? new NonceCache(),
    routes: options.routes.map(compileRoute), // a bad pattern fails here, at start-up
    maxJsonBytes: options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
    log,
    sseStreams: new Set<SseStream>(),
    sseKeepAliveMs: options.sseKeepAliveMs ?? 15_000,
  };
  const server: Server = createServer({
    // A 2 GB video on slow Wi-Fi takes minutes: no whole-request deadline, only an idle one.
    requestTimeout: 0,
    headersTimeout: 20_000,
  });
  server.timeout = options.idleTimeoutMs ?? 60_000;
  const handle = (request: IncomingMessage, response: ServerResponse, expectsContinue: boolean) => {
    handleRequest(deps, request, response, expectsContinue).catch((error: unknown) => {
      log.error('request pipeline failed', { error: String(error) });
      response.destroy();
    });
  };
  server.on('request', (request, response) => handle(request, response, false));
  // Uploads ask first: refused ones are answered before a byte of their body is sent.
  server.on('checkContinue', (request, response) => handle(request, response, true));
  server.on('clientError', (error, socket) => {
    log.debug('malformed request', { error: (error as Error).message });
    socket.destroy();
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

/**
 * A node's HTTP server, on Fastify: the farm's routes and the UI's, on one port. This file sets up
 * what every route shares — timeouts and a per-client connection cap against slow or greedy clients,
 * zod schemas for params, queries and bodies, body parsers that keep the hash of the bytes a signature
 * covers, browser protections (helmet), and one error shape (`{ error: { code, message } }`) for every
 * refusal. Routes are registered by their owners (farm/node/routes, api/ui-routes.ts); how a signed
 * route is checked is added by whoever signs (farm/net/farm-server.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import fastifyHelmet from '@fastify/helmet';
import Fastify, { type FastifyError, type FastifyReply } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { MAX_FIELD_ISSUES, MAX_ISSUE_CHARS } from '../../shared/contract.ts';
import { shorten } from '../../shared/text.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { DiskFullError } from '../util/disk-room.ts';
import { sha256Hex } from '../util/hash.ts';
import type { FarmApp, RouteAuth } from './app-types.ts';

export { acceptBody } from './uploads.ts';

import { BodyMismatchError, BodyTooLargeError, type ErrorIssue, errorBody, Refusal } from './errors.ts';
import { type RefusalLog, refusalLog } from './refusal-log.ts';
import { installUploads } from './uploads.ts';

export type { FarmApp, RouteAuth };
/** The app a node serves (farm and UI routes alike). */
export type HttpApp = FarmApp;

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Registers hooks before the routes (e.g. how signed routes are checked). */
  hooks?: (app: FarmApp) => void;
  /** Registers the routes. */
  routes: (app: FarmApp) => void | Promise<void>;
  /** Tags the server's log lines (the node's id). */
  name: string;
  maxJsonBytes?: number;
  /** A socket silent this long is dropped (uploads and SSE keep theirs busy). */
  idleTimeoutMs?: number;
  /** close() waits this long for requests in flight before cutting their connections. */
  closeGraceMs?: number;
  /** A client must have sent all its headers this soon after connecting. */
  headersTimeoutMs?: number;
  /** Open connections one address may hold; more are closed at once (slow-client floods). */
  maxConnectionsPerClient?: number;
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
}

export interface HttpServer {
  readonly app: FarmApp;
  start(): Promise<{ url: string }>;
  close(): Promise<void>;
  /** The listening URL once started, else null. */
  readonly url: string | null;
}

/** A JSON body of the farm's routes (and any route that sets no limit of its own). */
export const DEFAULT_MAX_JSON_BYTES = 1024 * 1024;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 32;
/** A whole request, body included: a 20 GB upload at 100 Mbit/s fits, a trickle does not stay for ever. */
const REQUEST_TIMEOUT_MS = 60 * 60 * 1000;
const PAGE_POLICY = {
  defaultSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const log = createLogger('HttpServer', { node: options.name });
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const app: FarmApp = Fastify({
    logger: false,
    bodyLimit: options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
    routerOptions: { maxParamLength: 500 },
    serverFactory: (handler) =>
      nodeServer(handler, {
        headersTimeout,
        idleTimeout: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        maxConnectionsPerClient: options.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
        log,
        tls: options.tls,
      }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('caller', null);
  app.decorateRequest('bodySha256', null);
  // Only the bodies routes take (anything else is a 415); JSON is kept as bytes first, because a farm
  // signature covers exactly what was sent.
  app.removeAllContentTypeParsers();
  app.decorateRequest('jsonBytes', null);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.bodySha256 = sha256Hex(body);
    if (body.length === 0) return done(null, undefined);
    // A signed route's body is parsed only once its signature holds (below): parsing first let anyone
    // with a node's public headers make it parse a megabyte of nesting per request, and stall it.
    if (request.routeOptions.config.auth === 'farm') {
      request.jsonBytes = body;
      return done(null, undefined);
    }
    try {
      done(null, parseJson(body));
    } catch (error) {
      done(error as Refusal, undefined);
    }
  });
  installUploads(app);
  requireDeclaredAuth(app);
  options.hooks?.(app);
  // After the signer's hooks (options.hooks): a body kept as bytes is parsed once they have let it in.
  app.addHook('preValidation', async (request) => {
    if (request.jsonBytes === null) return;
    const bytes = request.jsonBytes;
    request.jsonBytes = null;
    request.body = parseJson(bytes);
  });
  // Nothing a node sends is meant to run in, or be framed by, another page; the UI's page gets its
  // policy here too (the built index.html repeats most of it in a meta tag, which cannot forbid framing).
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: PAGE_POLICY },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // Plain http on a LAN: HSTS would only confuse browsers; media are same-origin anyway.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
  const refusals = refusalLog();
  app.setErrorHandler((error, request, reply) => sendFailure(reply, error, log, fieldsOf(request), refusals));
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(app, request.url);
    const refusal =
      allowed.length > 0
        ? new Refusal(405, errorBody('method-not-allowed', 'method not allowed'), {
            allow: allowed.join(', '),
          })
        : new Refusal(404, errorBody('not-found', 'no such route'));
    sendFailure(reply, refusal, log, fieldsOf(request), refusals);
  });
  await options.routes(app);
  await app.ready();

  let url: string | null = null;
  return {
    app,
    get url() {
      return url;
    },
    async start() {
      await app.listen({ port: options.port, host: options.host });
      const address = app.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `${options.tls ? 'https' : 'http'}://${host}:${address.port}`;
      log.info('server listening', { url });
      return { url };
    },
    async close() {
      if (!app.server.listening) return;
      const cut = setTimeout(() => app.server.closeAllConnections(), options.closeGraceMs ?? 2_000);
      app.server.closeIdleConnections();
      await app.close();
      clearTimeout(cut);
      url = null;
    },
  };
}

function fieldsOf(request: { method: string; url: string; ip: string }) {
  const query = request.url.indexOf('?');
  return {
    method: request.method,
    // Cut short: a refused path may be as long as the router takes.
    path: shorten(query === -1 ? request.url : request.url.slice(0, query), 120),
    remoteAddress: request.ip,
  };
}

/** The methods some route answers at this URL (a 405 names them), from Fastify's own router. */
function allowedMethods(app: FarmApp, url: string): string[] {
  const path = url.split('?')[0] ?? url;
  return ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter(
    (method) => app.findRoute({ method, url: path }) !== null,
  );
}

function issuesOf(validation: { instancePath?: string; message?: string }[]): ErrorIssue[] {
  return validation.slice(0, MAX_FIELD_ISSUES).map((issue) => ({
    path: shorten((issue.instancePath ?? '').split('/').filter(Boolean).join('.'), MAX_ISSUE_CHARS),
    message: shorten(issue.message ?? 'invalid', MAX_ISSUE_CHARS),
  }));
}

const VALIDATION_CODES: Record<string, string> = {
  body: 'invalid-body',
  querystring: 'invalid-query',
  params: 'invalid-param',
  headers: 'invalid-header',
};

/** Every failure of a request, as the one error shape with a precise status; crashes are a bare 500. */
export function sendFailure(
  reply: FastifyReply,
  error: unknown,
  log: Logger,
  fields: Record<string, unknown>,
  refusals: RefusalLog,
): void {
  const refusal = refusalOf(error);
  if (!refusal) {
    const detail = error instanceof Error ? { error: error.message, stack: error.stack } : { error };
    log.error('route handler failed', { ...fields, ...detail });
    void reply.code(500).send(errorBody('internal', 'internal error'));
    return;
  }
  const { status, body, headers } = refusal;
  const taken = refusals.take(String(fields.remoteAddress ?? ''));
  if (taken.log) {
    const leftOut = taken.leftOut > 0 ? { leftOut: taken.leftOut } : {};
    if (status === 401) log.warn('request refused', { ...fields, reason: body.error.reason, ...leftOut });
    else log.info('request refused', { ...fields, status, code: body.error.code, ...leftOut });
  }
  // A body that was refused, cut short or never asked for (Expect: 100-continue) is not worth reading.
  const raw = reply.request.raw as IncomingMessage & { awaitingContinue?: boolean };
  if (status === 413 || status === 507 || raw.awaitingContinue || !raw.complete)
    void reply.header('connection', 'close');
  void reply.headers(headers).code(status).send(body);
}

function refusalOf(error: unknown): Refusal | null {
  if (error instanceof Refusal) return error;
  if (error instanceof BodyTooLargeError) return new Refusal(413, errorBody('too-large', error.message));
  if (error instanceof BodyMismatchError) return new Refusal(400, errorBody('body-mismatch', error.message));
  if (error instanceof DiskFullError) return new Refusal(507, errorBody('disk-full', error.message));
  const fastifyError = error as FastifyError & { validationContext?: string };
  if (fastifyError.validation) {
    const code = VALIDATION_CODES[fastifyError.validationContext ?? 'body'] ?? 'invalid-body';
    const what = code.replace('invalid-', 'invalid ');
    return new Refusal(400, errorBody(code, what, { issues: issuesOf(fastifyError.validation) }));
  }
  if (fastifyError.statusCode === 416) {
    // A range past the file's end (@fastify/send): said as such, with the size a client needs.
    const range = (error as { headers?: Record<string, string> }).headers?.['Content-Range'];
    const body = errorBody('range-not-satisfiable', 'the range asked for is not in the file');
    return new Refusal(416, body, range ? { 'content-range': range } : {});
  }
  if (fastifyError.statusCode === 429) {
    return new Refusal(429, errorBody('too-many-requests', 'too many requests: try again later'));
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Refusal(413, errorBody('too-large', 'body is larger than this route allows'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Refusal(415, errorBody('unsupported-media-type', 'unsupported content type'));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new Refusal(400, errorBody('invalid-json', 'body is not valid JSON'));
    default:
      return typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500
        ? new Refusal(fastifyError.statusCode, errorBody('bad-request', 'bad request'))
        : null;
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Refusal(400, errorBody('invalid-json', 'body is not valid JSON'));
  }
}

/**
 * Every route says how it authenticates (`config.auth`), or the server refuses to start: no route is
 * open by omission. Custom rules (the UI's session cookie) are checked here, before any body is read;
 * signed routes by the signer's hooks.
 */
function requireDeclaredAuth(app: FarmApp): void {
  app.addHook('onRoute', (route) => {
    // @fastify/static's routes serve the UI's page and assets, which anyone may load.
    if (route.config && 'file' in route.config && route.config.auth === undefined) route.config.auth = 'none';
    if (route.config?.auth === undefined && route.path !== '*') {
      throw new Error(`route ${route.method} ${route.url} does not say how it authenticates (config.auth)`);
    }
  });
  app.addHook('onRequest', async (request) => {
    const auth = request.routeOptions.config.auth;
    // A custom rule has no finer reason to give: its credentials were either absent or wrong.
    if (typeof auth === 'function' && !auth(request.raw)) {
      throw new Refusal(
        401,
        errorBody('unauthorized', 'request not authenticated', { reason: 'bad-signature' }),
      );
    }
  });
}

/**
 * The node:http server under Fastify, made here because two of its settings matter for slow clients:
 * Node checks the header and request timeouts only every `connectionsCheckingInterval` (30 s by
 * default), and `checkContinue` lets an upload be refused before its body is sent (farm-auth.ts).
 * Fastify's `connectionTimeout` does not reach a server made here: the idle timeout is set on it, so a
 * body that stalls part-way is cut off (the request timeout alone would let it hang for an hour).
 */
function nodeServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  options: {
    headersTimeout: number;
    idleTimeout: number;
    maxConnectionsPerClient: number;
    log: Logger;
    tls: HttpServerOptions['tls'];
  },
): Server {
  const settings = {
    requestTimeout: Math.max(REQUEST_TIMEOUT_MS, options.headersTimeout + 1),
    headersTimeout: options.headersTimeout,
    connectionsCheckingInterval: Math.min(1_000, options.headersTimeout),
  };
  // An https.Server is an http.Server underneath: the same events and limits apply.
  const server: Server = options.tls
    ? createHttpsServer({ ...settings, ...options.tls })
    : createServer(settings);
  server.setTimeout(options.idleTimeout);
  server.on('request', handler);
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    (request as IncomingMessage & { awaitingContinue?: boolean }).awaitingContinue = true;
    handler(request, response);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    options.log.debug('malformed request', { error: error.message });
    // A client that can still read is told what went wrong (a timeout gets 408), then cut off.
    if (socket.writable && error.code !== 'ECONNRESET') {
      const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      setTimeout(() => socket.destroy(), 500).unref();
    } else {
      socket.destroy();
    }
  });
  limitConnectionsPerClient(server, options.maxConnectionsPerClient, options.log);
  return server;
}

/**
 * One address may not hold more than `max` connections: 50 clients trickling headers from one
 * machine would otherwise tie up the node's sockets while real peers wait.
 */
function limitConnectionsPerClient(server: Server, max: number, log: Logger): void {
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
      if (left > 0) open.set(address, left);
      else {
        open.delete(address);
        warned.delete(address);
      }
    });
  });
}

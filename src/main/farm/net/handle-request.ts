/**
 * One request through the farm server: route → query → auth → body → handler → reply. Every
 * refusal is a JSON error with a precise status; handler crashes become a generic 500.
 * A client that sends `Expect: 100-continue` is only asked for its body once every check that
 * can be made on the headers alone has passed, so a refused upload costs no bandwidth.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log/logger.ts';
import { sha256Hex } from '../../util/hash.ts';
import { type AuthDeps, authenticate } from './authenticate.ts';
import { BodyGuard, readBodyLimited } from './body-guard.ts';
import { BodyTooLargeError, errorBody } from './errors.ts';
import type { NodeIdentity } from './identity.ts';
import { isSha256 } from './patterns.ts';
import { Refusal, sendFailure, tooLarge, unauthorized } from './refusal.ts';
import { sendFile, sendJson } from './respond.ts';
import { type CompiledRoute, matchRoute } from './router.ts';
import { isReply, type Route, type RouteContext } from './routes.ts';
import { FARM_HEADER, precheckRequest, requestBinding, signReply } from './signing.ts';
import { openSse, type SseStream } from './sse.ts';
import { issuesOf } from './zod-issues.ts';

export interface RequestDeps extends AuthDeps {
  /** Signs the replies to authenticated farm requests. */
  identity: NodeIdentity;
  routes: CompiledRoute[];
  maxJsonBytes: number;
  log: Logger;
  sseStreams: Set<SseStream>;
  sseKeepAliveMs: number;
}

interface Exchange {
  deps: RequestDeps;
  request: IncomingMessage;
  response: ServerResponse;
  base: Omit<RouteContext, 'nodeId'>;
  /** Sends "100 Continue" if the client waits for it (once); call right before reading the body. */
  proceed(): void;
  /** Set once a farm request is authenticated: its replies are then signed for its sender. */
  signer: ReplySigner | null;
}

type ReplySigner = (status: number, contentType: string, body: string) => Record<string, string>;

export async function handleRequest(
  deps: RequestDeps,
  request: IncomingMessage,
  response: ServerResponse,
  expectsContinue = false,
): Promise<void> {
  const rawUrl = request.url ?? '';
  const queryStart = rawUrl.indexOf('?');
  const pathname = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const remoteAddress = request.socket.remoteAddress ?? 'unknown';
  const fields = { method: request.method, path: pathname, remoteAddress };
  const aborter = new AbortController();
  response.on('close', () => aborter.abort());
  let continued = false;
  let exchange: Exchange | undefined;
  try {
    const match = matchRoute(deps.routes, request.method ?? '', pathname);
    if (match.kind === 'not-found') throw new Refusal(404, errorBody('not-found', 'no such route'));
    if (match.kind === 'bad-param')
      throw new Refusal(400, errorBody('invalid-param', `invalid ${match.param}`));
    if (match.kind === 'bad-method') {
      const allow = { allow: match.allow.join(', ') };
      throw new Refusal(405, errorBody('method-not-allowed', 'method not allowed'), allow);
    }
    const query = new URLSearchParams(queryStart === -1 ? '' : rawUrl.slice(queryStart + 1));
    const parsedQuery = match.route.query?.safeParse(Object.fromEntries(query));
    if (parsedQuery && !parsedQuery.success) {
      const issues = issuesOf(parsedQuery.error);
      throw new Refusal(400, errorBody('invalid-query', 'invalid query', { issues }));
    }
    const proceed = (): void => {
      if (!expectsContinue || continued) return;
      continued = true;
      response.writeContinue();
    };
    const base = { params: match.params, query, request, remoteAddress, signal: aborter.signal };
    exchange = { deps, request, response, base, proceed, signer: null };
    if (match.route.body === 'stream') await runStreamRoute(exchange, match.route);
    else await runRoute(exchange, match.route);
  } catch (error) {
    const closeConnection = expectsContinue && !continued;
    sendFailure(response, error, {
      log: deps.log,
      fields,
      aborted: aborter.signal.aborted,
      closeConnection,
      sign: exchange?.signer ?? null,
    });
  }
}

function requireAuth(exchange: Exchange, route: Route, bodySha256: string): string | null {
  const { deps, request } = exchange;
  const outcome = authenticate(route.auth, request, bodySha256, deps);
  if (!outcome.ok) throw unauthorized(outcome.reason);
  const binding = route.auth === 'farm' ? requestBinding(request.headers) : null;
  if (binding) {
    exchange.signer = (status, contentType, body) =>
      signReply(deps.identity, {
        status,
        contentType,
        bodySha256: sha256Hex(body),
        requestNonce: binding.nonce,
        requester: binding.from,
      });
  }
  return outcome.nodeId;
}

function requireJson(request: IncomingMessage, route: Route): void {
  if (route.body === 'json' && !/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
    throw new Refusal(415, errorBody('unsupported-media-type', 'expected application/json'));
  }
}

function declaredLength(request: IncomingMessage): number {
  const length = Number(request.headers['content-length']);
  return Number.isFinite(length) ? length : 0;
}

async function runRoute(exchange: Exchange, route: Exclude<Route, { body: 'stream' }>): Promise<void> {
  const { deps, request, response, base } = exchange;
  // Refuse whatever can be refused on the headers before reading (or even asking for) the body.
  let nodeId: string | null = null;
  if (route.auth === 'farm') {
    const early = precheckRequest(deps.verifier, request.headers, {
      now: deps.clock(),
      maxSkewMs: deps.maxSkewMs,
    });
    if (early) throw unauthorized(early);
  } else {
    requireJson(request, route);
    nodeId = requireAuth(exchange, route, '');
  }
  const maxBytes = route.body === 'json' ? deps.maxJsonBytes : 0;
  if (declaredLength(request) > maxBytes) throw tooLarge(maxBytes);
  exchange.proceed();
  const raw = await readBodyLimited(request, maxBytes).catch((error: unknown) => {
    throw error instanceof BodyTooLargeError ? tooLarge(maxBytes) : error;
  });
  // A farm signature covers the body (and its content type), so it can only be checked now.
  if (route.auth === 'farm') {
    nodeId = requireAuth(exchange, route, sha256Hex(raw));
    requireJson(request, route);
  }
  if (route.sse) {
    const stream = openSse(response, deps.sseKeepAliveMs);
    deps.sseStreams.add(stream);
    stream.closed.addEventListener('abort', () => deps.sseStreams.delete(stream));
    try {
      await route.handler({ ...base, nodeId, send: stream.send, closed: stream.closed });
    } catch (error) {
      stream.close();
      throw error;
    }
    return;
  }
  if (route.body !== 'json') return reply(exchange, await route.handler({ ...base, nodeId }));
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Refusal(400, errorBody('invalid-json', 'body is not valid JSON'));
  }
  const parsed = route.schema.safeParse(value);
  if (!parsed.success) {
    throw new Refusal(400, errorBody('invalid-body', 'invalid body', { issues: issuesOf(parsed.error) }));
  }
  return reply(exchange, await route.handler({ ...base, nodeId, body: parsed.data }));
}

async function runStreamRoute(exchange: Exchange, route: Extract<Route, { body: 'stream' }>): Promise<void> {
  const { request, response, base } = exchange;
  const declared = request.headers[FARM_HEADER.bodySha256];
  if (declared !== undefined && !isSha256(declared)) {
    throw new Refusal(400, errorBody('invalid-header', `${FARM_HEADER.bodySha256} must be a sha256`));
  }
  // The signature covers the declared hash; the guard below proves the body matches it.
  if (route.auth === 'farm' && declared === undefined) throw unauthorized('missing');
  const nodeId = requireAuth(exchange, route, declared ?? '');
  const ctx = { ...base, nodeId };
  const maxBytes = typeof route.maxBytes === 'function' ? await route.maxBytes(ctx) : route.maxBytes;
  if (declaredLength(request) > maxBytes) throw tooLarge(maxBytes);

  const guard = new BodyGuard({ maxBytes, ...(declared ? { expectSha256: declared } : {}) });
  let bodyFailure: Error | null = null;
  guard.on('error', (error) => {
    bodyFailure ??= error;
    request.unpipe(guard);
    request.resume(); // discard the rest; the reply closes the connection
  });
  request.on('close', () => {
    if (!request.complete) guard.destroy(new Error('request aborted by the client'));
  });
  exchange.proceed();
  request.pipe(guard);

  let result: unknown;
  let handlerError: unknown = null;
  try {
    result = await route.handler({ ...ctx, stream: guard, maxBytes, bodySha256: declared ?? null });
  } catch (error) {
    handlerError = error;
  }
  // Whatever the handler says, a body that broke its limit or its checksum is refused.
  if (bodyFailure) throw bodyFailure;
  if (handlerError) throw handlerError;
  if (!request.complete) {
    // The handler answered without reading everything (e.g. "already have it"): stop the upload.
    request.unpipe(guard);
    guard.destroy();
    request.resume();
    response.setHeader('connection', 'close');
  }
  return reply(exchange, result);
}

async function reply({ response, signer }: Exchange, result: unknown): Promise<void> {
  if (!isReply(result)) {
    if (result === undefined) sendJson(response, 204, undefined, {}, signer);
    else sendJson(response, 200, result, {}, signer);
    return;
  }
  if (result.kind === 'json') sendJson(response, result.status, result.body, result.headers, signer);
  // A file's bytes are checked by their sha256 (the blob's name), not by a reply signature.
  else await sendFile(response, result.path, result.contentType, result.headers, result.range, result.expect);
}

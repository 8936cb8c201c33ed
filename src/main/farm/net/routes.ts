/**
 * What a farm route declares: method, path pattern with validated params, how it authenticates,
 * what body it takes, and a handler. Handlers return plain JSON (200), a reply built with the
 * helpers below, or nothing (204). They never write to the response themselves (except SSE).
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { ZodType } from 'zod';
import { errorBody } from './errors.ts';
import type { SentContentExpectation } from './sent-content-check.ts';

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * 'farm': a request signed by an admitted node (FARM.md). 'none': anyone (public pages, the identity
 * card). A function: a custom check on the request's headers, e.g. the UI's session cookie (a browser
 * cannot sign every request). The function runs before any body is read.
 */
export type RouteAuth = 'farm' | 'none' | ((request: IncomingMessage) => boolean);

export interface RouteContext {
  /** Path params, each already matched against its validator (never a file path). */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The authenticated sender on 'farm' routes; null on the others. */
  nodeId: string | null;
  request: IncomingMessage;
  remoteAddress: string;
  /** Aborted once the response is closed: sent, or the client went away (stop slow work then). */
  signal: AbortSignal;
}

export interface StreamContext extends RouteContext {
  /** The body; it errors (never ends cleanly) past maxBytes or when it does not match its sha256. */
  stream: Readable;
  maxBytes: number;
  /** The declared (and, on 'farm' routes, signed) x-vfo-body-sha256, if any. */
  bodySha256: string | null;
}

export interface SseContext extends RouteContext {
  /** Sends one event; returns false once the stream is closed. */
  send(event: string, data: unknown): boolean;
  /** Aborted when the client disconnects or the server closes: stop sending then. */
  closed: AbortSignal;
}

const REPLY = Symbol('farm-reply');

export type Reply =
  | { [REPLY]: true; kind: 'json'; status: number; body: unknown; headers: Record<string, string> }
  | {
      [REPLY]: true;
      kind: 'file';
      path: string;
      contentType: string;
      headers: Record<string, string>;
      /** The request's Range header, for media players that seek (one `bytes=` range). */
      range?: string | undefined;
      /** A whole file is hashed as it is sent; a mismatch cuts the transfer (see SentContentCheck). */
      expect?: SentContentExpectation | undefined;
    };

export type HandlerResult = unknown;

interface RouteBase {
  method: RouteMethod;
  /** e.g. '/farm/v1/blobs/:sha256'; a param is one whole segment. */
  pattern: string;
  /** Validator per param; default: `sha256` → SHA256_PATTERN, any other name → ID_PATTERN. */
  params?: Record<string, RegExp>;
  auth: RouteAuth;
  /** Optional schema for the query string (as an object of strings); a mismatch is a 400. */
  query?: ZodType;
}

export interface NoBodyRoute extends RouteBase {
  body?: 'none';
  sse?: false;
  handler(ctx: RouteContext): HandlerResult | Promise<HandlerResult>;
}

export interface JsonRoute<T> extends RouteBase {
  body: 'json';
  sse?: false;
  schema: ZodType<T>;
  handler(ctx: RouteContext & { body: T }): HandlerResult | Promise<HandlerResult>;
}

export interface StreamRoute extends RouteBase {
  body: 'stream';
  sse?: false;
  /** The most the route accepts, fixed or from the request (e.g. the size a plan declared). */
  maxBytes: number | ((ctx: RouteContext) => number | Promise<number>);
  handler(ctx: StreamContext): HandlerResult | Promise<HandlerResult>;
}

export interface SseRoute extends RouteBase {
  sse: true;
  body?: 'none';
  handler(ctx: SseContext): void | Promise<void>;
}

export type Route = NoBodyRoute | JsonRoute<unknown> | StreamRoute | SseRoute;

/** Keeps the body type of a JSON route's handler tied to its schema. */
export function jsonRoute<T>(route: JsonRoute<T>): Route {
  return route as unknown as Route;
}

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { [REPLY]: true, kind: 'json', status, body, headers };
}

/** An expected failure, as a value: `{ error: { code, message } }` with a 4xx/5xx status. */
export function errorReply(status: number, code: string, message: string): Reply {
  return jsonReply(status, errorBody(code, message));
}

/** Streams a file (a 404 'not-found' reply if it does not exist). Never pass a path from the network. */
export function fileReply(
  path: string,
  options: {
    contentType?: string;
    headers?: Record<string, string>;
    range?: string | undefined;
    expect?: SentContentExpectation;
  } = {},
): Reply {
  return {
    [REPLY]: true,
    kind: 'file',
    path,
    contentType: options.contentType ?? 'application/octet-stream',
    headers: options.headers ?? {},
    range: options.range,
    expect: options.expect,
  };
}

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && REPLY in value;
}

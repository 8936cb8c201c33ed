/** The Fastify app a node serves, as routes see it: zod schemas, and what the farm adds to a request. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

export type FarmApp = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** How a route authenticates: signed by an admitted node, anyone, or a check of its own (the UI's cookie). */
export type RouteAuth = 'farm' | 'none' | ((request: IncomingMessage) => boolean);

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** The body is a stream the handler reads itself (uploads), checked against its signed sha256. */
    upload?: boolean;
  }
  interface FastifyRequest {
    /** The authenticated sender of a farm request (null elsewhere). */
    caller: string | null;
    /** The sha256 of the body as received (JSON routes). */
    bodySha256: string | null;
    /** A signed route's JSON, kept as bytes until its signature holds (server.ts). */
    jsonBytes: Buffer | null;
  }
}

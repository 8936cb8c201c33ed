/**
 * The UI a node serves on the LAN: the built renderer (@fastify/static), the app's contract over HTTP,
 * a server-sent event stream, the media sent with dropped scripts, and finished videos (with Range,
 * for players that seek). Every API route
 * needs a session (see ui-sessions.ts); logging in and asking for a challenge are rate limited per
 * address (@fastify/rate-limit: 429 with Retry-After).
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Readable } from 'node:stream';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import { JOB_ID_PATTERN, MAX_CALL_BODY_BYTES, type VfoEvent } from '../../shared/contract.ts';
import type { Engine } from '../engine/engine.ts';
import { errorBody, type FarmApp, mediaUploadRoute, openSse, type SseStream } from '../http/index.ts';
import { type Dispatch, httpStatusOf } from './dispatch.ts';
import { thumbnailPathOf } from './job-thumbnail.ts';
import { fromThePage, type UiSessions } from './ui-sessions.ts';

export interface UiRouteDeps {
  sessions: UiSessions;
  dispatch: Dispatch;
  engine: Pick<Engine, 'subscribe' | 'store'>;
  /** out/renderer: the built UI (absent in a checkout that was never built: then only the API). */
  rendererDir: string;
  /** Farm status changes, pushed to open event streams. */
  subscribeFarm(listener: (event: VfoEvent) => void): () => void;
  /** Media sent with dropped scripts, stored by sha256 (intake/media-upload.ts). */
  media: { receive(body: Readable, sha256: string): Promise<unknown> };
  sseKeepAliveMs?: number;
  /** Whether a request's `Host` names this node (ui-hosts.ts: DNS rebinding). */
  hostAllowed(host: string | undefined): boolean;
}

export const UI_RATE_LIMITS = {
  /** A login needs one challenge; a few tabs or retries need a few more. */
  challengesPerMinute: 30,
  /** Guessing the farm key at this pace is hopeless; a person who mistyped it waits a minute. */
  loginsPerMinute: 10,
};

/**
 * A finished job's file may be gone since (its video is in the user's own folder): sent missing, it
 * was a 500 ("invalid payload type"), the not-found answer being JSON under the video's type.
 */
function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

export async function uiRoutes(app: FarmApp, deps: UiRouteDeps): Promise<void> {
  // The page and its assets, each file a route of its own (nothing outside the folder can be named).
  // Public, at any name: it holds nothing a session does not.
  await app.register(
    fastifyStatic,
    existsSync(deps.rendererDir)
      ? { root: deps.rendererDir, wildcard: false, index: 'index.html', cacheControl: false }
      : { serve: false },
  );
  // The API, in a scope of its own so that its hooks are only its routes': the farm's signed routes
  // (`/api/v1/status` among them) bind their own receiver and are reached by any name a node was given.
  await app.register(async (api: FarmApp) => uiApiRoutes(api, deps));
}

async function uiApiRoutes(app: FarmApp, deps: UiRouteDeps): Promise<void> {
  const { sessions } = deps;
  const reads = (request: Parameters<UiSessions['allows']>[0]) =>
    sessions.allows(request, { mutating: false });
  const writes = (request: Parameters<UiSessions['allows']>[0]) =>
    sessions.allows(request, { mutating: true });
  // Before the rate limits: a page that rebound its DNS name to this node spends nothing. By the route
  // matched, not the URL as written: `/%61pi/…` is routed to `/api/…`.
  app.addHook('onRequest', async (request, reply) => {
    if (deps.hostAllowed(request.headers.host)) return;
    return reply
      .code(421)
      .send(
        errorBody(
          'unknown-host',
          'this node’s UI answers at its IP address, its short or .local name, or a name given with vfo node --ui-host',
        ),
      );
  });
  await app.register(fastifyRateLimit, { global: false });
  const perMinute = (max: number) => ({ rateLimit: { max, timeWindow: 60_000 } });

  // Only the page asks: any web page the user visited could spend the address's challenges with plain
  // GETs and lock the user out.
  app.get(
    '/api/v1/session/challenge',
    { config: { auth: fromThePage, ...perMinute(UI_RATE_LIMITS.challengesPerMinute) } },
    (request) => ({ nonce: sessions.challenge(request.ip) }),
  );
  app.post(
    '/api/v1/session',
    {
      config: {
        auth: fromThePage,
        ...perMinute(UI_RATE_LIMITS.loginsPerMinute),
      },
      schema: {
        body: z.strictObject({ nonce: z.string().regex(/^[0-9a-f]{32}$/), proof: z.string().max(128) }),
      },
    },
    (request, reply) => {
      const token = sessions.login(request.ip, request.body.nonce, request.body.proof);
      if (!token) return reply.code(401).send(errorBody('unauthorized', 'wrong farm key'));
      return reply.code(204).header('set-cookie', sessions.cookieFor(token, request.raw)).send();
    },
  );
  // Logging out: a session on a shared browser lasted its 12 hours whatever its user did.
  app.delete('/api/v1/session', { config: { auth: writes } }, (request, reply) =>
    reply.code(204).header('set-cookie', sessions.logout(request.raw)).send(),
  );
  app.post(
    '/api/v1/call/:method',
    {
      config: { auth: writes },
      // Room for the longest prompt the Library takes (see MAX_CALL_BODY_BYTES).
      bodyLimit: MAX_CALL_BODY_BYTES,
      // The contract's dispatcher checks the method and its arguments (400 with every field issue).
      schema: { params: z.object({ method: z.string().regex(/^[a-z]+\.[A-Za-z]+$/) }) },
    },
    async (request, reply) => {
      const result = await deps.dispatch(request.params.method, request.body, 'http');
      return reply.code(httpStatusOf(result)).send(result);
    },
  );

  // A dropped script's media, each uploaded on its own before the script (only those media.wanted named).
  mediaUploadRoute(app, '/api/v1/media/:sha256', writes, (body, sha256) => deps.media.receive(body, sha256));

  const streams = new Set<SseStream>();
  app.addHook('onClose', async () => {
    for (const stream of streams) stream.close();
  });
  app.get('/api/v1/events', { config: { auth: reads } }, (_request, reply) => {
    reply.hijack();
    const stream = openSse(reply.raw, deps.sseKeepAliveMs ?? 15_000);
    streams.add(stream);
    const send = (event: VfoEvent) => stream.send('vfo', event);
    const offEngine = deps.engine.subscribe((event) => send(event as VfoEvent));
    const offFarm = deps.subscribeFarm(send);
    stream.closed.addEventListener('abort', () => {
      streams.delete(stream);
      offEngine();
      offFarm();
    });
  });
  app.get(
    '/api/v1/jobs/:id/video',
    { config: { auth: reads }, schema: { params: z.object({ id: z.string().regex(JOB_ID_PATTERN) }) } },
    async (request, reply) => {
      const job = deps.engine.store.getJob(request.params.id);
      if (!job?.outputPath || job.status !== 'done') {
        return reply.code(404).send(errorBody('not-found', 'no finished video for this job'));
      }
      if (!(await isFile(job.outputPath)))
        return reply
          .code(404)
          .send(errorBody('not-found', 'the finished video is no longer where it was made'));
      return reply.type('video/mp4').sendFile(basename(job.outputPath), dirname(job.outputPath));
    },
  );
  app.get(
    '/api/v1/jobs/:id/thumbnail',
    { config: { auth: reads }, schema: { params: z.object({ id: z.string().regex(JOB_ID_PATTERN) }) } },
    async (request, reply) => {
      const path = thumbnailPathOf(deps.engine.store, request.params.id);
      if (!path || !(await isFile(path)))
        return reply.code(404).send(errorBody('not-found', 'no thumbnail for this job'));
      // A blob is named by its checksum: the same URL may give another picture after a re-run.
      return reply
        .type('image/jpeg')
        .header('cache-control', 'no-cache')
        .sendFile(basename(path), dirname(path));
    },
  );
}

import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { z } from 'zod';
import type { VfoEvent } from '../../shared/contract.ts';
import type { Engine } from '../engine/engine.ts';
import { errorReply, fileReply, jsonReply, jsonRoute, type Route } from '../farm/net/index.ts';
import { type Dispatch, httpStatusOf } from './dispatch.ts';
import type { UiSessions } from './ui-sessions.ts';

/** The page's policy (the built index.html repeats most of it in a meta tag, which cannot forbid framing). */
export const PAGE_POLICY = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export interface UiRouteDeps {
  sessions: UiSessions;
  dispatch: Dispatch;
  engine: Engine;
  /** out/renderer: the built UI. */
  rendererDir: string;
  /** Farm status changes, pushed to open event streams. */
  subscribeFarm(listener: (event: VfoEvent) => void): () => void;
}

function tooManyAttempts(retryAfterSeconds: number) {
  return jsonReply(
    429,
    {
      error: { code: 'too-many-requests', message: `too many attempts; try again in ${retryAfterSeconds} s` },
    },
    { 'retry-after': String(retryAfterSeconds) },
  );
}

/**
 * The UI a node serves on the LAN: the built renderer, and the app's contract over HTTP with a
 * server-sent event stream. Every API route needs a session (see ui-sessions.ts).
 */
export function uiRoutes(deps: UiRouteDeps): Route[] {
  const { sessions } = deps;
  const reads = (request: Parameters<UiSessions['allows']>[0]) =>
    sessions.allows(request, { mutating: false });
  const writes = (request: Parameters<UiSessions['allows']>[0]) =>
    sessions.allows(request, { mutating: true });
  const staticFile = (name: string) => {
    const type = CONTENT_TYPES[extname(name)];
    const path = join(deps.rendererDir, name);
    if (!type || !existsSync(path)) return errorReply(404, 'not-found', 'no such file');
    return fileReply(path, { contentType: type, headers: { 'content-security-policy': PAGE_POLICY } });
  };
  return [
    { method: 'GET', pattern: '/', auth: 'none', handler: () => staticFile('index.html') },
    {
      method: 'GET',
      pattern: '/assets/:file',
      params: { file: /^[\w.-]{1,120}$/ },
      auth: 'none',
      handler: ({ params }) => staticFile(join('assets', params.file as string)),
    },
    {
      method: 'GET',
      pattern: '/api/v1/session/challenge',
      auth: 'none',
      handler: ({ remoteAddress }) => {
        const outcome = sessions.challenge(remoteAddress);
        return outcome.ok ? { nonce: outcome.nonce } : tooManyAttempts(outcome.retryAfterSeconds);
      },
    },
    jsonRoute({
      method: 'POST',
      pattern: '/api/v1/session',
      auth: (request) => request.headers['x-vfo-ui'] === '1',
      body: 'json',
      schema: z.strictObject({ nonce: z.string().regex(/^[0-9a-f]{32}$/), proof: z.string().max(128) }),
      handler: ({ body, remoteAddress }) => {
        const outcome = sessions.login(remoteAddress, body.nonce, body.proof);
        if (outcome.ok) return jsonReply(204, undefined, { 'set-cookie': sessions.cookieFor(outcome.token) });
        if (outcome.retryAfterSeconds !== undefined) return tooManyAttempts(outcome.retryAfterSeconds);
        return errorReply(401, 'unauthorized', 'wrong farm key');
      },
    }),
    jsonRoute({
      method: 'POST',
      pattern: '/api/v1/call/:method',
      params: { method: /^[a-z]+\.[A-Za-z]+$/ },
      auth: writes,
      body: 'json',
      // The contract's dispatcher checks the method and its arguments (400 with every field issue).
      schema: z.unknown(),
      handler: async ({ params, body }) => {
        const result = await deps.dispatch(params.method, body, 'http');
        return jsonReply(httpStatusOf(result), result);
      },
    }),
    {
      method: 'GET',
      pattern: '/api/v1/events',
      auth: reads,
      sse: true,
      handler: ({ send, closed }) => {
        const forward = (event: VfoEvent) => send('vfo', event);
        const offEngine = deps.engine.subscribe((event) => forward(event as VfoEvent));
        const offFarm = deps.subscribeFarm(forward);
        closed.addEventListener('abort', () => {
          offEngine();
          offFarm();
        });
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/jobs/:id/video',
      params: { id: /^[0-9a-f-]{36}$/ },
      auth: reads,
      handler: ({ params, request }) => {
        const job = deps.engine.store.getJob(params.id as string);
        if (!job?.outputPath || job.status !== 'done')
          return errorReply(404, 'not-found', 'no finished video for this job');
        return fileReply(job.outputPath, { contentType: 'video/mp4', range: request.headers.range });
      },
    },
  ];
}

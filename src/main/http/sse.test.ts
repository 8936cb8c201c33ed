import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  identityFor,
  makeKey,
  type RunningServer,
  rawRequest,
  startServer,
} from '../farm/net/net.fixture.ts';
import { signRequest } from '../farm/net/signing.ts';
import type { FarmApp } from './server.ts';
import { openSse, type SseStream } from './sse.ts';

const { key } = makeKey();
const gui = identityFor(key);
/** A custom rule (the UI's is its session cookie): here, a fixed header value. */
const uiPass = (request: IncomingMessage) => request.headers['x-test-pass'] === 'ui';
let running: RunningServer;

const listeners = new Set<SseStream>();

function routes(app: FarmApp): void {
  app.get('/api/v1/events', { config: { auth: 'farm' } }, (request, reply) => {
    reply.hijack();
    const stream = openSse(reply.raw, 15_000);
    listeners.add(stream);
    stream.closed.addEventListener('abort', () => listeners.delete(stream));
    stream.send('hello', { node: request.caller });
  });
  app.get('/api/v1/ui-events', { config: { auth: uiPass } }, (_request, reply) => {
    reply.hijack();
    openSse(reply.raw, 15_000).send('hello', { ui: true });
  });
  app.addHook('onClose', async () => {
    for (const stream of listeners) stream.close();
  });
}

beforeEach(async () => {
  running = await startServer(routes, { key, closeGraceMs: 200 });
});
afterEach(async () => {
  await running.close();
  listeners.clear();
});

interface EventReader {
  response: IncomingMessage;
  /** Resolves with the first `count` events, or rejects after 3 s. */
  next(count: number): Promise<Array<{ event: string; data: unknown }>>;
  ended: Promise<void>;
  close(): void;
}

function openEvents(path: string, headers: Record<string, string>): Promise<EventReader> {
  const target = new URL(running.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: target.hostname, port: target.port, path, headers, agent: false });
    request.on('error', reject);
    request.on('response', (response) => {
      const events: Array<{ event: string; data: unknown }> = [];
      let buffer = '';
      const waiters: Array<() => void> = [];
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
          end = buffer.indexOf('\n\n');
        }
        for (const wake of waiters.splice(0)) wake();
      });
      const ended = new Promise<void>((done) => response.on('close', done));
      resolve({
        response,
        ended,
        close: () => request.destroy(),
        async next(count) {
          const deadline = Date.now() + 3_000;
          while (events.length < count) {
            if (Date.now() > deadline) throw new Error(`only ${events.length} events arrived`);
            await new Promise<void>((wake) => {
              waiters.push(wake);
              setTimeout(wake, 100);
            });
          }
          return events.slice(0, count);
        },
      });
    });
    request.end();
  });
}

/** The farm's event stream, as the GUI's identity asks for it (a signed GET). */
function openSignedEvents(): Promise<EventReader> {
  const headers = signRequest(gui, {
    method: 'GET',
    pathWithQuery: '/api/v1/events',
    to: running.id,
    body: null,
    now: Date.now(),
  });
  return openEvents('/api/v1/events', headers);
}

describe('server-sent events', () => {
  it('delivers events to an authenticated client', async () => {
    const reader = await openSignedEvents();
    expect(reader.response.statusCode).toBe(200);
    expect(reader.response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(await reader.next(1)).toEqual([{ event: 'hello', data: { node: gui.id } }]);
    for (const listener of listeners) listener.send('queue', { queued: 2, text: 'two\nlines' });
    expect((await reader.next(2))[1]).toEqual({ event: 'queue', data: { queued: 2, text: 'two\nlines' } });
    reader.close();
  });

  it('refuses an unauthenticated client and sends it no events', async () => {
    const reply = await rawRequest(running.url, { method: 'GET', path: '/api/v1/events' });
    expect(reply.status).toBe(401);
    expect(reply.headers['content-type']).toMatch(/application\/json/);
    expect(reply.text).not.toContain('event:');
    expect(listeners.size).toBe(0);
  });

  it('lets a custom rule admit a client to a stream', async () => {
    const reader = await openEvents('/api/v1/ui-events', { 'x-test-pass': 'ui' });
    expect(await reader.next(1)).toEqual([{ event: 'hello', data: { ui: true } }]);
    reader.close();
    const refused = await rawRequest(running.url, {
      method: 'GET',
      path: '/api/v1/ui-events',
      headers: { 'x-test-pass': 'not ui' },
    });
    expect(refused.status).toBe(401);
  });

  // Found by attacking the UI API: a client that stopped reading made the node hold every event for it
  // (50 MB on one socket) until the idle timeout.
  it('lets go of a client that stopped reading once a megabyte waits for it', async () => {
    const reader = await openSignedEvents();
    await reader.next(1);
    reader.response.pause();
    const [stream] = [...listeners];
    const big = 'x'.repeat(64 * 1024);
    let sent = 0;
    while ((stream as SseStream).send('news', { big }) && sent < 2_000) sent++;
    // Sockets take a few megabytes before anything waits in the response; then one more megabyte.
    expect(sent).toBeLessThan(2_000);
    expect(stream?.closed.aborted).toBe(true);
    await reader.ended;
  });

  it('ends open streams when the server closes, and tells the handler', async () => {
    const reader = await openSignedEvents();
    await reader.next(1);
    const [listener] = listeners;
    const started = Date.now();
    await running.close();
    await reader.ended;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(listener?.closed.aborted).toBe(true);
    expect(listener?.send('late', {})).toBe(false);
  });
});

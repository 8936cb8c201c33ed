import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VfoEvent } from '../../../shared/contract.ts';
import type { EventSourceLike } from './event-stream.ts';
import { httpClient } from './http-client.ts';

interface Request {
  url: string;
  init: RequestInit | undefined;
}

/** A fetch that records requests and answers from a routing function. */
function fakeFetch(answer: (request: Request) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const doFetch = (async (input: string | URL | globalThis.Request, init?: RequestInit) => {
    const request = { url: String(input), init };
    requests.push(request);
    return answer(request);
  }) as typeof fetch;
  return { requests, doFetch };
}

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** An EventSource stand-in the test drives by hand. */
class FakeEventSource implements EventSourceLike {
  static created: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  private listeners = new Map<string, ((event: { data?: unknown }) => void)[]>();
  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeEventSource.created.push(this);
  }
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  emit(type: string, data?: string): void {
    for (const listener of this.listeners.get(type) ?? []) listener({ data });
  }
}

const farmKey = '  q8Wm2-Lx7Pz0Rk4Tn6Vb1Yc3Hd5Jf9Gs_Ae  ';

afterEach(() => {
  FakeEventSource.created = [];
  vi.useRealTimers();
});

describe('httpClient calls', () => {
  it('POSTs JSON args with the x-vfo-ui header and cookies, and returns the CallResult', async () => {
    const { requests, doFetch } = fakeFetch(() => json({ ok: true, value: [] }));
    const client = httpClient('http://node.local:7400/', { fetch: doFetch });
    const result = await client.call('jobs.list', { limit: 5 });
    expect(result).toEqual({ ok: true, value: [] });
    const [request] = requests;
    expect(request?.url).toBe('http://node.local:7400/api/v1/call/jobs.list');
    expect(request?.init?.method).toBe('POST');
    expect(request?.init?.credentials).toBe('include');
    expect(request?.init?.headers).toMatchObject({ 'x-vfo-ui': '1', 'content-type': 'application/json' });
    expect(JSON.parse(String(request?.init?.body))).toEqual({ limit: 5 });
  });

  it('passes expected failures through as values', async () => {
    const failure = { ok: false, error: { code: 'not-found', message: 'no job abc' } };
    const { doFetch } = fakeFetch(() => json(failure, 404));
    expect(await httpClient('', { fetch: doFetch }).call('jobs.get', { id: 'abc' })).toEqual(failure);
  });

  it('turns 401 into "unauthorized", and network or garbage answers into errors, never exceptions', async () => {
    const unauthorized = fakeFetch(() => new Response('', { status: 401 }));
    const a = await httpClient('', { fetch: unauthorized.doFetch }).call('farm.status', {});
    expect(a).toMatchObject({ ok: false, error: { code: 'unauthorized' } });

    const down = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const b = await httpClient('', { fetch: down.doFetch }).call('farm.status', {});
    expect(b).toMatchObject({ ok: false, error: { code: 'unreachable' } });

    const html = fakeFetch(() => new Response('<html>proxy error</html>', { status: 502 }));
    const c = await httpClient('', { fetch: html.doFetch }).call('farm.status', {});
    expect(c).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(c.ok ? '' : c.error.message).toContain('502');
  });

  it('builds the video URL of a job', () => {
    expect(httpClient('').videoUrl('j 1')).toBe('/api/v1/jobs/j%201/video');
    expect(httpClient('http://n:1').videoUrl('abc')).toBe('http://n:1/api/v1/jobs/abc/video');
  });
});

describe('httpClient login', () => {
  it('answers the challenge with HMAC(trimmed key, "vfo-ui-session:" + nonce)', async () => {
    const { requests, doFetch } = fakeFetch(({ url }) =>
      url.endsWith('/challenge') ? json({ nonce: 'n0nce' }) : new Response(null, { status: 204 }),
    );
    const outcome = await httpClient('', {
      fetch: doFetch,
      eventSource: (url) => new FakeEventSource(url),
    }).login?.(farmKey);
    expect(outcome).toEqual({ ok: true });
    expect(requests.map((r) => r.url)).toEqual(['/api/v1/session/challenge', '/api/v1/session']);
    const body = JSON.parse(String(requests[1]?.init?.body));
    expect(body).toEqual({
      nonce: 'n0nce',
      // Node's createHmac('sha256', key.trim()).update('vfo-ui-session:n0nce').digest('hex'), as the node checks.
      proof: '081e56a48ec0f77a403021126bfbdbf8d8aac8fb21cecf1c5d45bb6f6454c98e',
    });
    expect(requests[1]?.init?.method).toBe('POST');
  });

  it('logs out with a DELETE of the session, carrying the header and the cookie', async () => {
    const { requests, doFetch } = fakeFetch(() => new Response(null, { status: 204 }));
    await httpClient('http://node:4870', {
      fetch: doFetch,
      eventSource: (url) => new FakeEventSource(url),
    }).logout?.();
    expect(requests.map((r) => [r.url, r.init?.method])).toEqual([
      ['http://node:4870/api/v1/session', 'DELETE'],
    ]);
    expect(requests[0]?.init?.headers).toMatchObject({ 'x-vfo-ui': '1' });
    expect(requests[0]?.init?.credentials).toBe('include');
  });

  it('says so when the key is wrong, empty, or the node is unreachable', async () => {
    const wrong = fakeFetch(({ url }) =>
      url.endsWith('/challenge') ? json({ nonce: 'n' }) : new Response(null, { status: 401 }),
    );
    expect(await httpClient('', { fetch: wrong.doFetch }).login?.(farmKey)).toMatchObject({
      ok: false,
      message: expect.stringContaining('not this farm'),
    });
    expect(await httpClient('', { fetch: wrong.doFetch }).login?.('   ')).toMatchObject({ ok: false });
    const down = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(await httpClient('', { fetch: down.doFetch }).login?.(farmKey)).toMatchObject({
      ok: false,
      message: expect.stringContaining('Cannot reach'),
    });
  });
});

describe('httpClient events', () => {
  it('shares one EventSource, delivers well-formed "vfo" events, closes after the last listener', () => {
    const client = httpClient('', { eventSource: (url) => new FakeEventSource(url) });
    const a: VfoEvent[] = [];
    const b: VfoEvent[] = [];
    const stopA = client.subscribe((event) => a.push(event));
    const stopB = client.subscribe((event) => b.push(event));
    expect(FakeEventSource.created).toHaveLength(1);
    const source = FakeEventSource.created[0] as FakeEventSource;
    expect(source.url).toBe('/api/v1/events');
    source.emit('vfo', '{"type":"job","jobId":"j","status":"running"}');
    source.emit('vfo', 'garbage');
    expect(a).toEqual([{ type: 'job', jobId: 'j', status: 'running' }]);
    expect(b).toHaveLength(1);
    stopA();
    expect(source.closed).toBe(false);
    stopB();
    expect(source.closed).toBe(true);
  });

  it('reports the stream state and re-creates a refused stream after a delay', () => {
    vi.useFakeTimers();
    const client = httpClient('', { eventSource: (url) => new FakeEventSource(url) });
    const states: string[] = [];
    client.onStreamState((state) => states.push(state));
    client.subscribe(() => {});
    const first = FakeEventSource.created[0] as FakeEventSource;
    first.readyState = 1;
    first.emit('open');
    first.readyState = 2; // refused, e.g. 401: the browser will not retry by itself
    first.emit('error');
    expect(states).toEqual(['connecting', 'live', 'reconnecting']);
    vi.advanceTimersByTime(1000);
    expect(FakeEventSource.created).toHaveLength(2);
    (FakeEventSource.created[1] as FakeEventSource).emit('open');
    expect(states.at(-1)).toBe('live');
  });
});

import { createHmac } from 'node:crypto';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uiRoutes } from '../../src/main/api/ui-routes.ts';
import { UiSessions } from '../../src/main/api/ui-sessions.ts';
import { createHttpServer } from '../../src/main/http/index.ts';

export const KEY = 'this-is-a-test-farm-key-0123456789abcdefXYZ';
export const proofFor = (nonce: string) =>
  createHmac('sha256', KEY).update(`vfo-ui-session:${nonce}`).digest('hex');

export interface Harness {
  url: string; port: number; dir: string;
  engineListeners: Set<(e: unknown) => void>;
  farmListeners: Set<(e: unknown) => void>;
  jobs: Map<string, any>;
  artifacts: Map<string, any[]>;
  close(): Promise<void>;
  sockets: Set<import('node:net').Socket>;
}

export async function startHarness(opts: { idleTimeoutMs?: number } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'review-ui-'));
  const page = join(dir, 'renderer');
  await mkdir(page);
  await writeFile(join(page, 'index.html'), '<!doctype html><title>UI</title>');
  const engineListeners = new Set<(e: unknown) => void>();
  const farmListeners = new Set<(e: unknown) => void>();
  const jobs = new Map<string, any>();
  const artifacts = new Map<string, any[]>();
  const sockets = new Set<import('node:net').Socket>();
  const server = await createHttpServer({
    host: '127.0.0.1', port: 0, name: 'review',
    ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    routes: (app) =>
      uiRoutes(app, {
        sessions: new UiSessions((n) => createHmac('sha256', KEY).update(`vfo-ui-session:${n}`).digest()),
        dispatch: async (method, args) => ({ ok: true, value: { method, args } }) as any,
        engine: {
          subscribe: (l: any) => { engineListeners.add(l); return () => engineListeners.delete(l); },
          store: { getJob: (id: string) => jobs.get(id), jobArtifacts: (id: string) => artifacts.get(id) ?? [] } as any,
        } as any,
        rendererDir: page,
        subscribeFarm: (l) => { farmListeners.add(l as any); return () => farmListeners.delete(l as any); },
        media: { receive: async () => ({}) },
        sseKeepAliveMs: 15000,
      }),
  });
  server.app.server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  const { url } = await server.start();
  return { url, port: Number(new URL(url).port), dir, engineListeners, farmListeners, jobs, artifacts, sockets, close: () => server.close() };
}

export interface Reply { status: number; headers: Record<string, any>; text: string }
export function call(h: Harness, method: string, path: string, opts: { body?: string; headers?: Record<string, string>; from?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: h.port, method, path, agent: false, localAddress: opts.from ?? '127.0.0.1',
      headers: { ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers } },
      (res) => { let text = ''; res.setEncoding('latin1'); res.on('data', (d) => (text += d)); res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text })); });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export async function login(h: Harness, from = '127.0.0.1'): Promise<string> {
  const c = await call(h, 'GET', '/api/v1/session/challenge', { from });
  const nonce = JSON.parse(c.text).nonce;
  const r = await call(h, 'POST', '/api/v1/session', { from, body: JSON.stringify({ nonce, proof: proofFor(nonce) }), headers: { 'content-type': 'application/json', 'x-vfo-ui': '1' } });
  if (r.status !== 204) throw new Error(`login ${r.status} ${r.text}`);
  return String(r.headers['set-cookie'][0]).split(';')[0]!;
}

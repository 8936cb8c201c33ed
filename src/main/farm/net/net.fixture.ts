/** Test helpers for the farm HTTP layer: keys, temp folders, log capture, servers and raw requests. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FarmApp } from '../../http/index.ts';
import { addLogSink, type LogRecord, setLogLevel } from '../../log/logger.ts';
import { createFarmClient, type FarmClient, type FarmClientOptions, type Peer } from './client.ts';
import { ephemeralIdentity, type NodeIdentity } from './identity.ts';
import { createFarmServer, type FarmServer, type FarmServerOptions } from './index.ts';
import { type FarmKey, farmKeyFromText, generateFarmKey } from './key.ts';
import { signRequest } from './signing.ts';
import { FarmTrust } from './trust.ts';

export interface TestKey {
  key: FarmKey;
  text: string;
}

export function makeKey(): TestKey {
  const text = generateFarmKey();
  return { key: farmKeyFromText(text), text };
}

export async function makeTempDir(prefix = 'vfo-net-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Every file under `dir`, relative, recursively (to prove nothing partial was left behind). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

export function captureLogs(): { records: LogRecord[]; text(): string; stop(): void } {
  const records: LogRecord[] = [];
  const removeSink = addLogSink((record) => records.push(record));
  setLogLevel('debug');
  const stop = (): void => {
    removeSink();
    setLogLevel('warn');
  };
  return { records, text: () => JSON.stringify(records), stop };
}

/** A client speaking as an identity of its own, admitted by `key` (a stranger's key: not admitted here). */
export function makeClient(
  key: FarmKey,
  options: Partial<FarmClientOptions> & { trustKey?: FarmKey } = {},
): FarmClient {
  const { trustKey, ...rest } = options;
  return createFarmClient({
    identity: ephemeralIdentity(key),
    trust: new FarmTrust(trustKey ?? key),
    ...rest,
  });
}

export interface RunningServer {
  server: FarmServer;
  url: string;
  /** The server's node id: whom requests must be signed for. */
  id: string;
  peer: Peer;
  close(): Promise<void>;
}

export async function startServer(
  routes: (app: FarmApp) => void | Promise<void>,
  options: Partial<Omit<FarmServerOptions, 'identity' | 'trust' | 'routes'>> & {
    key: FarmKey;
    identity?: NodeIdentity;
  },
): Promise<RunningServer> {
  const { key, identity = ephemeralIdentity(options.key), ...rest } = options;
  const server = await createFarmServer({
    host: '127.0.0.1',
    port: 0,
    routes,
    identity,
    trust: new FarmTrust(key),
    ...rest,
  });
  const { url } = await server.start();
  return { server, url, id: identity.id, peer: { url, id: identity.id }, close: () => server.close() };
}

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** A request exactly as given (path not normalised), for probing what the server refuses. */
export function rawRequest(
  url: string,
  input: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer | Buffer[];
  },
): Promise<RawReply> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: target.hostname,
      port: target.port,
      method: input.method,
      path: input.path,
      headers: input.headers ?? {},
      agent: false,
    });
    request.setTimeout(5_000, () => request.destroy(new Error('raw request timed out')));
    request.on('error', reject);
    request.on('response', async (response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
    });
    const body = input.body;
    if (Array.isArray(body)) {
      // Sent as separate chunks (chunked encoding when no content-length is set).
      for (const chunk of body) request.write(chunk);
      request.end();
    } else {
      request.end(body);
    }
  });
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface SignedRawInput {
  method: string;
  path: string;
  body?: string | null;
  now: number;
  /** Sign as this identity (default: one admitted by the server's key). */
  identity?: NodeIdentity;
  /** Sign for this receiver instead of the server (a request meant for another node). */
  to?: string;
  /** Send this path or body instead of the signed one (tampering). */
  sendPath?: string;
  sendBody?: string;
}

const identities = new WeakMap<FarmKey, NodeIdentity>();

/** One identity per key for the raw requests of a test file (like one node sending them all). */
export function identityFor(key: FarmKey): NodeIdentity {
  let identity = identities.get(key);
  if (!identity) {
    identity = ephemeralIdentity(key);
    identities.set(key, identity);
  }
  return identity;
}

/** A signed request sent raw; a JSON content type is set when there is a body. */
export function signedRawRequest(server: Peer, key: FarmKey, input: SignedRawInput): Promise<RawReply> {
  const body = input.body ?? null;
  const contentType = body !== null ? 'application/json' : '';
  const headers = signRequest(input.identity ?? identityFor(key), {
    method: input.method,
    pathWithQuery: input.path,
    contentType,
    to: input.to ?? server.id,
    body,
    now: input.now,
  });
  if (body !== null) headers['content-type'] = contentType;
  return rawRequest(server.url, {
    method: input.method,
    path: input.sendPath ?? input.path,
    headers,
    ...(body !== null ? { body: input.sendBody ?? body } : {}),
  });
}

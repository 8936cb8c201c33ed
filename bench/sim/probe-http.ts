/**
 * The cluster probe's tiny, unauthenticated HTTP transport: GET /hello and POST /coordinator on
 * 127.0.0.1. Only for multi-process tests and the election bench; the real node signs every request
 * and plugs its own calls into the same `hello` / `announce` slots of the cluster member.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CoordinatorClaim,
  type HelloInfo,
  parseCoordinatorClaim,
  parseHelloInfo,
} from '../../src/main/farm/cluster/hello-schema.ts';

const MAX_BODY_BYTES = 4096;

export interface ProbeHandlers {
  hello(): HelloInfo;
  claim(claim: CoordinatorClaim): { accepted: boolean };
}

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

export async function startProbeServer(handlers: ProbeHandlers): Promise<ProbeServer> {
  const server = createServer((request, response) => {
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && request.url === '/hello') {
      try {
        return reply(200, handlers.hello());
      } catch {
        return reply(503, { error: 'not ready' });
      }
    }
    if (request.method !== 'POST' || request.url !== '/coordinator')
      return reply(404, { error: 'not found' });
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY_BYTES) request.destroy();
    });
    request.on('end', () => {
      try {
        const outcome = handlers.claim(parseCoordinatorClaim(JSON.parse(body)));
        reply(outcome.accepted ? 200 : 409, outcome);
      } catch {
        reply(400, { error: 'invalid claim' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function httpHello(peer: { url: string }, signal: AbortSignal): Promise<HelloInfo> {
  const response = await fetch(`${peer.url}/hello`, { signal });
  if (!response.ok) throw new Error(`hello answered ${response.status}`);
  return parseHelloInfo(await response.json());
}

export async function httpAnnounce(
  peer: { url: string },
  claim: CoordinatorClaim,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(`${peer.url}/coordinator`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(claim),
    signal,
  });
  await response.body?.cancel();
  // 409 is an answer too: the peer follows a better claim, which its hellos will show.
  if (response.status !== 200 && response.status !== 409)
    throw new Error(`claim answered ${response.status}`);
}

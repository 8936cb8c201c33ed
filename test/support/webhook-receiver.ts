/**
 * A local stand-in for an alert receiver (a chat bridge, a pager): an HTTP server on loopback that keeps
 * every request and checks its signature the way a receiver would — with node:crypto directly, not with
 * the code under test — and answers with the statuses a test scripts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The signature matched HMAC-SHA256(secret, `${x-vfo-timestamp}.${body}`). */
  signed: boolean;
  json: {
    event: string;
    alert: { id: string; severity: string; kind: string; message: string; details?: Record<string, unknown> };
    [k: string]: unknown;
  };
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedHook[];
  /** Statuses to answer with, in order; 204 once they run out. */
  respondWith(...statuses: number[]): void;
  close(): Promise<void>;
}

export function expectedSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const statuses: number[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const timestamp = String(request.headers['x-vfo-timestamp'] ?? '');
      const given = Buffer.from(String(request.headers['x-vfo-signature'] ?? ''));
      const wanted = Buffer.from(expectedSignature(secret, timestamp, body));
      const signed = given.length === wanted.length && timingSafeEqual(given, wanted);
      let json: ReceivedHook['json'];
      try {
        json = JSON.parse(body);
      } catch {
        json = { event: 'unparsable', alert: { id: '', severity: '', kind: '', message: body } };
      }
      received.push({ headers: request.headers, body, signed, json });
      response.writeHead(statuses.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/vfo`,
    received,
    respondWith: (...codes) => statuses.push(...codes),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

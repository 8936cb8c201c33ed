/**
 * The wire, for replay tests: a TCP proxy between a real client process and a real node that keeps the
 * exact bytes of every request it sees (and can hold one back instead of delivering it), and a way to
 * send such bytes again, as they are or with one header rewritten. Nothing here signs anything: the
 * requests are the real ones `vfo` made.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface CapturedRequest {
  method: string;
  path: string;
  /** Header lines in order, names as sent. */
  headers: [string, string][];
  body: Buffer;
  /** Exactly the bytes that crossed the wire. */
  raw: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  json: { error?: { code?: string; reason?: string; message?: string } } & Record<string, unknown>;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Splits complete requests off the front of `buffer`; returns them and what is left. */
function takeRequests(buffer: Buffer): { requests: CapturedRequest[]; rest: Buffer } {
  const requests: CapturedRequest[] = [];
  let rest = buffer;
  for (;;) {
    const end = rest.indexOf(HEADER_END);
    if (end === -1) break;
    const head = rest.subarray(0, end).toString('latin1').split('\r\n');
    const [method = '', path = ''] = (head[0] ?? '').split(' ');
    const headers = head.slice(1).map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    const length = Number(headers.find(([name]) => name.toLowerCase() === 'content-length')?.[1] ?? 0);
    const total = end + HEADER_END.length + length;
    if (rest.length < total) break;
    const raw = Buffer.from(rest.subarray(0, total));
    requests.push({ method, path, headers, body: raw.subarray(end + HEADER_END.length), raw });
    rest = rest.subarray(total);
  }
  return { requests, rest };
}

export interface CaptureProxy {
  url: string;
  captured: CapturedRequest[];
  close(): Promise<void>;
}

/**
 * Forwards every request to `target`, keeping its bytes; a request `hold` selects is kept but never
 * delivered (the client gets a 502), so it can be used later exactly once.
 */
export async function startCaptureProxy(
  target: string,
  hold: (request: CapturedRequest) => boolean = () => false,
): Promise<CaptureProxy> {
  const { hostname, port } = new URL(target);
  const captured: CapturedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    let pending: Buffer = Buffer.alloc(0);
    let upstream: Socket | null = null;
    const deliver = (bytes: Buffer) => {
      if (!upstream) {
        upstream = connect(Number(port), hostname);
        sockets.add(upstream);
        upstream.pipe(client);
        upstream.on('error', () => client.destroy());
      }
      upstream.write(bytes);
    };
    client.on('data', (chunk: Buffer) => {
      const { requests, rest } = takeRequests(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const request of requests) {
        captured.push(request);
        if (hold(request)) {
          client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
          return;
        }
        deliver(request.raw);
      }
    });
    client.on('error', () => undefined);
    client.on('close', () => {
      const up = upstream as Socket | null;
      up?.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    captured,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The request's bytes rebuilt with `name` set to `value` (added if absent; removed when null). */
export function withHeader(request: CapturedRequest, name: string, value: string | null): Buffer {
  const present = request.headers.some(([n]) => n.toLowerCase() === name);
  const headers = request.headers
    .filter(([n]) => value !== null || n.toLowerCase() !== name)
    .map(([n, v]): [string, string] => (n.toLowerCase() === name && value !== null ? [n, value] : [n, v]));
  if (!present && value !== null) headers.push([name, value]);
  return rebuild({ ...request, headers });
}

export function rebuild(request: Pick<CapturedRequest, 'method' | 'path' | 'headers' | 'body'>): Buffer {
  const head = [
    `${request.method} ${request.path} HTTP/1.1`,
    ...request.headers.map(([n, v]) => `${n}: ${v}`),
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), request.body]);
}

export function headerOf(request: CapturedRequest, name: string): string | undefined {
  return request.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** Sends raw request bytes to `url` over a fresh connection (from `localAddress`, if given). */
export function sendRaw(url: string, bytes: Buffer, localAddress?: string): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ...(localAddress ? { localAddress } : {}) });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error('no answer in 10 s')), 10_000);
    const finish = () => {
      const end = received.indexOf(HEADER_END);
      if (end === -1) return false;
      const head = received.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number((head[0] ?? '').split(' ')[1]);
      const headers = Object.fromEntries(
        head.slice(1).map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      const length = Number(headers['content-length'] ?? 0);
      if (received.length < end + 4 + length) return false;
      const body = received.subarray(end + 4, end + 4 + length);
      let json: RawResponse['json'] = {};
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        // not JSON
      }
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, headers, body, json });
      return true;
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      finish();
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (!finish()) reject(new Error(`connection closed after ${received.length} bytes`));
    });
    socket.write(bytes);
  });
}

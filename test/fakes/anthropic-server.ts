/**
 * A fake Anthropic Messages API on 127.0.0.1, for tests that drive the real @anthropic-ai/sdk.
 *
 *   const fake = await startFakeAnthropic({ defaultText: '# Scene\n\nHello.' });
 *   fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '2' } });
 *   new Anthropic({ baseURL: fake.url, apiKey: 'k', maxRetries: 0 });
 *   ...
 *   fake.requests[0].body.model; fake.requests[0].headers.authorization;
 *   await fake.close();
 *
 * Each POST /v1/messages takes the next queued reply (or, when the queue is empty, streams
 * `defaultText`). Replies are always streamed (SSE), as the script writer asks for a stream.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeReply =
  /** A streamed answer: `text` is split into `chunks` content_block_delta events (default 3). */
  | {
      kind: 'text';
      text: string;
      chunks?: number;
      model?: string;
      stopReason?: string;
      inputTokens?: number;
      outputTokens?: number;
    }
  /** An HTTP error with the API's JSON error body, e.g. 429 + { 'retry-after': '2' }, 401, 529, 500. */
  | { kind: 'error'; status: number; type?: string; message?: string; headers?: Record<string, string> }
  /** The stream starts (`text` is streamed as usual) but the socket is destroyed after `afterEvents` events. */
  | { kind: 'drop'; afterEvents?: number; text?: string }
  /** The stream starts, then goes silent after `afterEvents` events until the client (or close()) cuts it. */
  | { kind: 'stall'; afterEvents?: number; text?: string }
  /** 'bad-json': a data frame that is not JSON; 'no-text': a well-formed stream with no text block. */
  | { kind: 'malformed'; variant: 'bad-json' | 'no-text' }
  /** A 200 stream that ends in an `event: error` frame, as the API does when it overloads mid-answer. */
  | { kind: 'stream-error'; type: string; message?: string }
  /** A stream that starts, then sends one character every `everyMs` and never ends (a hostile server). */
  | { kind: 'trickle'; everyMs: number }
  /** These events as they are, then the end of the stream: for broken events. */
  | { kind: 'events'; events: SseEvent[] };

export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-case header names, as Node reports them. */
  headers: Record<string, string>;
  /** The parsed JSON body, or null when there was none or it was not JSON. */
  body: Record<string, unknown> | null;
}

export interface FakeAnthropic {
  /** Base URL to give the SDK (`baseURL`). */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  enqueue(reply: FakeReply): void;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_SCRIPT =
  '---\ntitle: Fake script\n---\n\n# Scene one\n\nHello from the fake Claude.\n';

export type SseEvent = { type: string; [field: string]: unknown };

export async function startFakeAnthropic(options: { defaultText?: string } = {}): Promise<FakeAnthropic> {
  const defaultText = options.defaultText ?? DEFAULT_FAKE_SCRIPT;
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  const sockets = new Set<Socket>();
  let requestCount = 0;

  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      requestCount += 1;
      const body = parseJson(raw);
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: flatHeaders(req), body });
      res.setHeader('request-id', `req_fake_${requestCount}`);
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/messages') {
        sendError(res, { kind: 'error', status: 404, type: 'not_found_error', message: 'Not found' });
        return;
      }
      const reply = queue.shift() ?? { kind: 'text', text: defaultText };
      const model = typeof body?.model === 'string' ? body.model : 'fake-model';
      answer(res, reply, model);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (reply) => {
      queue.push(reply);
    },
    close: async () => {
      // Stalled streams never end on their own: cut every connection so close() resolves.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(res: ServerResponse, reply: FakeReply, requestModel: string): void {
  switch (reply.kind) {
    case 'error':
      sendError(res, reply);
      return;
    case 'text':
      sendEvents(res, textEvents(reply.text, reply, requestModel));
      return;
    case 'drop':
    case 'stall': {
      const events = textEvents(reply.text ?? DEFAULT_FAKE_SCRIPT, { chunks: 6 }, requestModel);
      const ending = reply.kind === 'drop' ? 'destroy' : 'hang';
      sendEvents(res, events.slice(0, reply.afterEvents ?? 4), { ending });
      return;
    }
    case 'malformed':
      sendMalformed(res, reply.variant, requestModel);
      return;
    case 'trickle': {
      sendEvents(res, textEvents('Partial', { chunks: 1 }, requestModel).slice(0, 4), { ending: 'hang' });
      const delta = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '.' } };
      const timer = setInterval(() => res.write(frame(delta)), reply.everyMs);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case 'events':
      sendEvents(res, reply.events, { ending: 'end' });
      return;
    case 'stream-error': {
      const events = textEvents('Partial answer', { chunks: 1 }, requestModel).slice(0, 4);
      const error = { type: 'error', error: { type: reply.type, message: reply.message ?? reply.type } };
      sendEvents(res, [...events, error], { ending: 'end' });
      return;
    }
  }
}

function textEvents(
  text: string,
  reply: Omit<Extract<FakeReply, { kind: 'text' }>, 'kind' | 'text'>,
  requestModel: string,
): SseEvent[] {
  const inputTokens = reply.inputTokens ?? 25;
  const outputTokens = reply.outputTokens ?? Math.max(1, Math.ceil(text.length / 4));
  const deltas = splitInto(text, reply.chunks ?? 3).map((piece) => ({
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'text_delta', text: piece },
  }));
  return [
    messageStart(reply.model ?? requestModel, inputTokens),
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '', citations: null } },
    { type: 'ping' },
    ...deltas,
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: reply.stopReason ?? 'end_turn', stop_sequence: null },
      usage: { output_tokens: outputTokens },
    },
    { type: 'message_stop' },
  ];
}

function messageStart(model: string, inputTokens: number): SseEvent {
  return {
    type: 'message_start',
    message: {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1 },
    },
  };
}

function sendMalformed(res: ServerResponse, variant: 'bad-json' | 'no-text', model: string): void {
  startStream(res);
  res.write(frame(messageStart(model, 10)));
  if (variant === 'bad-json') {
    res.write('event: content_block_delta\ndata: {"type": "content_block_delta", "delta": {\n\n');
  } else {
    res.write(
      frame({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 0 } }),
    );
    res.write(frame({ type: 'message_stop' }));
  }
  res.end();
}

function sendEvents(
  res: ServerResponse,
  events: SseEvent[],
  options: { ending: 'end' | 'destroy' | 'hang' } = { ending: 'end' },
): void {
  startStream(res);
  for (const event of events) res.write(frame(event));
  if (options.ending === 'end') res.end();
  // Destroy only once the frames are flushed, so the client really sees a stream cut mid-way.
  else if (options.ending === 'destroy') res.write('', () => res.socket?.destroy());
}

function sendError(res: ServerResponse, reply: Extract<FakeReply, { kind: 'error' }>): void {
  const type = reply.type ?? errorTypeFor(reply.status);
  const body = { type: 'error', error: { type, message: reply.message ?? type } };
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(JSON.stringify(body));
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

function errorTypeFor(status: number): string {
  return ERROR_TYPES[status] ?? 'api_error';
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

function frame(event: SseEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

function splitInto(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, parts)));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function parseJson(raw: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * Server-sent events: `event: NAME\ndata: JSON\n\n` frames on a response kept open, plus a comment
 * line now and then so idle connections are not dropped by the server's idle timeout or a proxy.
 */
import type { ServerResponse } from 'node:http';

const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Unsent bytes a stream may hold for a client before it is closed. */
export const MAX_UNSENT_BYTES = 1024 * 1024;

export interface SseStream {
  send(event: string, data: unknown): boolean;
  closed: AbortSignal;
  close(): void;
}

export function openSse(response: ServerResponse, keepAliveMs: number): SseStream {
  const closing = new AbortController();
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'keep-alive',
  });
  response.flushHeaders();
  const keepAlive = setInterval(() => {
    if (!response.writableEnded) response.write(': keep-alive\n\n');
  }, keepAliveMs);
  keepAlive.unref();
  const finish = (): void => {
    clearInterval(keepAlive);
    if (!closing.signal.aborted) closing.abort();
  };
  response.on('close', finish);
  return {
    closed: closing.signal,
    send(event, data) {
      if (closing.signal.aborted || response.writableEnded) return false;
      // A newline in the name would let a caller inject frames; refuse it loudly.
      if (!EVENT_NAME.test(event)) throw new Error(`invalid SSE event name: ${JSON.stringify(event)}`);
      // A client that stopped reading is let go once this much waits for it (the page reconnects and
      // reads the state afresh); unbounded, one stalled stream held 50 MB until its idle timeout.
      if (response.writableLength > MAX_UNSENT_BYTES) {
        finish();
        response.destroy();
        return false;
      }
      // JSON.stringify escapes newlines inside strings, so the data is always a single line.
      response.write(`event: ${event}\ndata: ${JSON.stringify(data) ?? 'null'}\n\n`);
      return true;
    },
    close() {
      finish();
      if (!response.writableEnded) response.end();
    },
  };
}

/** Writes replies: JSON with safe headers, or a file streamed with its length. */

import { open } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { errorBody } from './errors.ts';

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (status === 204 || body === undefined) {
    response.writeHead(status === 200 ? 204 : status, { ...BASE_HEADERS, ...headers });
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...BASE_HEADERS,
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/** Streams `path`; 404 if it is missing or not a regular file. */
export async function sendFile(
  response: ServerResponse,
  path: string,
  contentType: string,
  headers: Record<string, string>,
): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch {
    sendJson(response, 404, errorBody('not-found', 'no such file'));
    return;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      sendJson(response, 404, errorBody('not-found', 'no such file'));
      return;
    }
    response.writeHead(200, {
      ...BASE_HEADERS,
      ...headers,
      'content-type': contentType,
      'content-length': String(info.size),
    });
    // The stream closes the handle when it ends or fails.
    await pipeline(handle.createReadStream({ autoClose: true, highWaterMark: 1 << 20 }), response);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Writes replies: JSON with safe headers, or a file streamed with its length. */

import { open } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { errorBody } from './errors.ts';
import {
  emptyContentMatches,
  SentContentCheck,
  type SentContentExpectation,
  SentContentMismatch,
} from './sent-content-check.ts';

/**
 * On every reply. Nothing a node sends is meant to run in, or be framed by, another page: a JSON or
 * file reply gets the strictest policy; the UI's page sets its own (ui-routes.ts).
 */
const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

const JSON_TYPE = 'application/json; charset=utf-8';

/** Signature headers for a reply (farm routes): over its status, content type and body. */
export type SignReply = (status: number, contentType: string, body: string) => Record<string, string>;

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  sign: SignReply | null = null,
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (status === 204 || body === undefined) {
    const code = status === 200 ? 204 : status;
    response.writeHead(code, { ...BASE_HEADERS, ...headers, ...sign?.(code, '', '') });
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...BASE_HEADERS,
    ...headers,
    ...sign?.(status, JSON_TYPE, text),
    'content-type': JSON_TYPE,
    'content-length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/**
 * Streams `path`; 404 if it is missing or not a regular file. With `expect`, a whole file is hashed on
 * its way out and a mismatch cuts the transfer (the caller is told through `expect.onMismatch`).
 */
export async function sendFile(
  response: ServerResponse,
  path: string,
  contentType: string,
  headers: Record<string, string>,
  range?: string,
  expect?: SentContentExpectation,
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
    const span = byteRange(range, info.size);
    if (span === 'unsatisfiable') {
      response.writeHead(416, { ...BASE_HEADERS, 'content-range': `bytes */${info.size}` });
      response.end();
      return;
    }
    const { start, end } = span ?? { start: 0, end: info.size - 1 };
    response.writeHead(span ? 206 : 200, {
      ...BASE_HEADERS,
      ...headers,
      'accept-ranges': 'bytes',
      'content-type': contentType,
      'content-length': String(Math.max(0, end - start + 1)),
      ...(span ? { 'content-range': `bytes ${start}-${end}/${info.size}` } : {}),
    });
    if (info.size === 0) {
      if (expect && !span && !emptyContentMatches(expect)) response.destroy();
      else response.end();
      return;
    }
    // The stream closes the handle when it ends or fails.
    const read = handle.createReadStream({ autoClose: true, highWaterMark: 1 << 20, start, end });
    if (!expect || span) {
      await pipeline(read, response);
      return;
    }
    // pipeline() destroys the response on a mismatch: the client sees a cut transfer, not an answer.
    await pipeline(read, new SentContentCheck(expect), response).catch((error: unknown) => {
      if (!(error instanceof SentContentMismatch)) throw error;
    });
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; anything else is ignored (the whole file is sent). */
export function byteRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

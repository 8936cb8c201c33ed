/**
 * Streams a stored file (a blob) to the client, hashing it on its way out: a file that does not match
 * the checksum it is served under is cut short, never delivered whole (sent-content-check.ts).
 * Range requests are not needed here (workers fetch whole blobs); the UI's video uses @fastify/static.
 */
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { FastifyReply } from 'fastify';
import { errorBody } from './errors.ts';
import {
  emptyContentMatches,
  SentContentCheck,
  type SentContentExpectation,
  SentContentMismatch,
} from './sent-content-check.ts';

export async function sendCheckedFile(
  reply: FastifyReply,
  path: string,
  expect: SentContentExpectation,
): Promise<FastifyReply> {
  const handle = await open(path, 'r').catch(() => null);
  const info = await handle?.stat();
  if (!handle || !info?.isFile()) {
    await handle?.close();
    return reply.code(404).send(errorBody('not-found', 'no such blob'));
  }
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(info.size),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  try {
    if (info.size === 0) {
      if (emptyContentMatches(expect)) response.end();
      else response.destroy();
      return reply;
    }
    // pipeline() destroys the response on a mismatch: the client sees a cut transfer, not an answer.
    const read = handle.createReadStream({ autoClose: true, highWaterMark: 1 << 20 });
    await pipeline(read, new SentContentCheck(expect), response).catch((error: unknown) => {
      if (!(error instanceof SentContentMismatch) && !response.destroyed) throw error;
    });
    return reply;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * `vfo-media://job/<id>`: how the window's <video> element plays a finished job. The Electron shell
 * registers the scheme and hands every request here; only videos the node returns for a known job id
 * are served, with HTTP Range support so the player can seek. No path ever comes from the URL.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { MEDIA_HOST, MEDIA_SCHEME, THUMBNAIL_HOST } from './media-url.ts';

export { MEDIA_SCHEME, thumbnailUrlFor, videoUrlFor } from './media-url.ts';

/** Job ids are UUIDs today; accept any short id of safe characters, never a path. */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/x-m4v',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
};

/** The job id of a media URL, or null when the URL is not exactly `vfo-media://job/<id>`. */
export function parseMediaJobId(url: string, host: string = MEDIA_HOST): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${MEDIA_SCHEME}:` || parsed.hostname !== host) return null;
  if (parsed.username || parsed.password || parsed.port) return null;
  const match = /^\/([^/]+)\/?$/.exec(parsed.pathname);
  if (!match?.[1]) return null;
  let id: string;
  try {
    id = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  return JOB_ID.test(id) ? id : null;
}

export type ByteRange = { start: number; end: number };

/**
 * One `bytes=` range of a file of `size` bytes (end inclusive). Null means "serve the whole file"
 * (no header, a syntax we ignore, several ranges); 'unsatisfiable' means answer 416.
 */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    // Suffix: the last N bytes.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return null;
  return { start, end };
}

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Looks a job's finished video up; null for anything the node does not know or has not finished. */
export type VideoLookup = (jobId: string) => Promise<string | null>;

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
}

/**
 * `vfo-media://thumbnail/<id>`: a finished job's thumbnail, looked up like its video (never a path from
 * the URL). A blob has no extension: the type is said here.
 */
export async function serveJobThumbnail(request: Request, lookup: VideoLookup): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return plain(405, 'method not allowed', { allow: 'GET, HEAD' });
  }
  const jobId = parseMediaJobId(request.url, THUMBNAIL_HOST);
  if (!jobId) return plain(404, 'not found');
  const path = await lookup(jobId).catch(() => null);
  const info = path ? await stat(path).catch(() => null) : null;
  if (!path || !info?.isFile()) return plain(404, 'no thumbnail for this job');
  const headers = {
    'content-type': 'image/jpeg',
    'content-length': String(info.size),
    'cache-control': 'no-cache',
  };
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
  return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, {
    status: 200,
    headers,
  });
}

/** Every `vfo-media:` request: a thumbnail by its host, else a video. */
export function serveJobMedia(
  request: Request,
  lookups: { video: VideoLookup; thumbnail: VideoLookup },
): Promise<Response> {
  if (parseMediaJobId(request.url, THUMBNAIL_HOST)) return serveJobThumbnail(request, lookups.thumbnail);
  return serveJobVideo(request, lookups.video);
}

export async function serveJobVideo(request: Request, lookup: VideoLookup): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return plain(405, 'method not allowed', { allow: 'GET, HEAD' });
  }
  const jobId = parseMediaJobId(request.url);
  if (!jobId) return plain(404, 'not found');
  const path = await lookup(jobId).catch(() => null);
  if (!path) return plain(404, 'no video for this job');
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return plain(404, 'the video file is gone');

  const size = info.size;
  const range = parseRange(request.headers.get('range'), size);
  const headers: Record<string, string> = {
    'accept-ranges': 'bytes',
    'content-type': contentTypeOf(path),
    // A retried job may replace its video under the same URL.
    'cache-control': 'no-cache',
    'last-modified': info.mtime.toUTCString(),
  };
  if (range === 'unsatisfiable') {
    return plain(416, 'range not satisfiable', { 'content-range': `bytes */${size}` });
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = size === 0 ? 0 : end - start + 1;
  headers['content-length'] = String(length);
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  const status = range ? 206 : 200;
  if (request.method === 'HEAD' || length === 0) return new Response(null, { status, headers });
  // The player cancels a request when it seeks: cancelling the web stream destroys the file stream.
  const body = Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers });
}

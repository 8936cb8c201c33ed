import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contentTypeOf,
  parseMediaJobId,
  parseRange,
  serveJobMedia,
  serveJobVideo,
  thumbnailUrlFor,
  videoUrlFor,
} from './media-protocol.ts';

describe('media URLs', () => {
  it('round-trips a job id', () => {
    const id = '3f2c9a4e-1b2d-4c5e-8f90-0a1b2c3d4e5f';
    expect(videoUrlFor(id)).toBe(`vfo-media://job/${id}`);
    expect(parseMediaJobId(videoUrlFor(id))).toBe(id);
  });

  it('accepts nothing but vfo-media://job/<safe id>', () => {
    for (const url of [
      'vfo-media://job/',
      'vfo-media://other/abc',
      'vfo-media://job/a/b',
      'vfo-media://job/..%2F..%2Fetc%2Fpasswd',
      'vfo-media://job/%2Fetc%2Fpasswd',
      'vfo-media://job/%E0%A4%A',
      'vfo-media://user:pw@job/abc',
      'file:///job/abc',
      'https://job/abc',
      'not a url',
      `vfo-media://job/${'a'.repeat(200)}`,
    ]) {
      expect(parseMediaJobId(url), url).toBeNull();
    }
    expect(parseMediaJobId('vfo-media://job/abc_DEF-1/')).toBe('abc_DEF-1');
    expect(parseMediaJobId('vfo-media://job/abc?t=3#x')).toBe('abc');
  });
});

describe('parseRange', () => {
  it('reads the forms players send', () => {
    expect(parseRange('bytes=0-', 1000)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=100-199', 1000)).toEqual({ start: 100, end: 199 });
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 });
  });

  it('serves the whole file for no header, junk, or several ranges', () => {
    expect(parseRange(null, 1000)).toBeNull();
    expect(parseRange('items=0-1', 1000)).toBeNull();
    expect(parseRange('bytes=0-1,5-9', 1000)).toBeNull();
    expect(parseRange('bytes=-', 1000)).toBeNull();
    expect(parseRange('bytes=9-3', 1000)).toBeNull();
  });

  it('refuses ranges beyond the end', () => {
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
  });
});

describe('serveJobVideo', () => {
  let dir: string;
  let video: string;
  const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
  const known = 'job-1';
  const lookup = async (id: string) =>
    id === known ? video : id === 'gone' ? join(dir, 'missing.mp4') : null;
  const get = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
    serveJobVideo(new Request(url, { method, headers }), lookup);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vf-media-'));
    video = join(dir, 'video.mp4');
    writeFileSync(video, bytes);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams the whole video of a known job', async () => {
    const response = await get(videoUrlFor(known));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-length')).toBe('4096');
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers a range with 206 and exactly those bytes', async () => {
    const response = await get(videoUrlFor(known), { range: 'bytes=1000-1999' });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 1000-1999/4096');
    expect(response.headers.get('content-length')).toBe('1000');
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);

    const tail = await get(videoUrlFor(known), { range: 'bytes=-96' });
    expect(tail.headers.get('content-range')).toBe('bytes 4000-4095/4096');
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(4000))).toBe(true);
  });

  it('answers 416 past the end, HEAD without a body', async () => {
    const beyond = await get(videoUrlFor(known), { range: 'bytes=5000-' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */4096');
    const head = await get(videoUrlFor(known), {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('4096');
    expect(await head.text()).toBe('');
  });

  it('serves nothing for unknown jobs, odd URLs, vanished files or other methods', async () => {
    expect((await get(videoUrlFor('job-2'))).status).toBe(404);
    expect((await get(videoUrlFor('gone'))).status).toBe(404);
    expect((await get('vfo-media://job/..%2Fvideo.mp4')).status).toBe(404);
    expect((await get('vfo-media://elsewhere/job-1')).status).toBe(404);
    const post = await get(videoUrlFor(known), {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('stops reading when the player cancels (a seek)', async () => {
    const response = await get(videoUrlFor(known));
    const reader = response.body?.getReader();
    await reader?.read();
    await expect(reader?.cancel()).resolves.toBeUndefined();
  });

  it('names common video types', () => {
    expect(contentTypeOf('/a/b.MOV')).toBe('video/quicktime');
    expect(contentTypeOf('/a/b.bin')).toBe('application/octet-stream');
  });
});

describe('serveJobMedia', () => {
  let dir: string;
  let thumbnail: string;
  let video: string;
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
  const lookups = {
    video: async (id: string) => (id === 'job-1' ? video : null),
    thumbnail: async (id: string) => (id === 'job-1' ? thumbnail : null),
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vf-media-thumb-'));
    // A blob: named by its checksum, no extension.
    thumbnail = join(dir, 'ab12');
    video = join(dir, 'video.mp4');
    writeFileSync(thumbnail, jpeg);
    writeFileSync(video, 'video bytes');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves a finished job’s thumbnail as a JPEG, and its video at the video URL', async () => {
    const picture = await serveJobMedia(new Request(thumbnailUrlFor('job-1')), lookups);
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await picture.arrayBuffer()).equals(jpeg)).toBe(true);
    const movie = await serveJobMedia(new Request(videoUrlFor('job-1')), lookups);
    expect(await movie.text()).toBe('video bytes');
  });

  it('answers 404 for a job without one and for anything that is not a job id', async () => {
    expect((await serveJobMedia(new Request(thumbnailUrlFor('job-2')), lookups)).status).toBe(404);
    for (const url of [
      'vfo-media://thumbnail/..%2F..%2Fetc',
      'vfo-media://thumbnail/',
      'vfo-media://thumb/job-1',
    ])
      expect((await serveJobMedia(new Request(url), lookups)).status, url).toBe(404);
  });
});

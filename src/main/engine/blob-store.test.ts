import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BlobStore, ChecksumCache } from './blob-store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-blob-store-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

// Found by attacking budgets: a delivery that failed on a full disk left the new thumbnail beside the
// old video.
describe('delivering a video with its thumbnail', () => {
  it('replaces both or neither', async () => {
    const blobs = new BlobStore(join(dir, 'data'));
    const stored = async (text: string) => {
      await writeFile(join(dir, 'source'), text);
      return blobs.put(join(dir, 'source'));
    };
    await blobs.deliver([
      { blob: await stored('old picture'), destination: join(dir, 'talk.jpg') },
      { blob: await stored('old video'), destination: join(dir, 'talk.mp4') },
    ]);
    const picture = await stored('new picture');
    const video = await stored('new video');
    // The video's copy fails (its blob is gone): the new picture must not stay in place either.
    await rm(video.path);
    await expect(
      blobs.deliver([
        { blob: picture, destination: join(dir, 'talk.jpg') },
        { blob: video, destination: join(dir, 'talk.mp4') },
      ]),
    ).rejects.toThrow();
    expect(await readFile(join(dir, 'talk.jpg'), 'utf8')).toBe('old picture');
    expect(await readFile(join(dir, 'talk.mp4'), 'utf8')).toBe('old video');
    expect((await readdir(dir)).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  // Found by attacking the delivery: a folder made at the video's place during the render refused the
  // video's copy after the new thumbnail had taken its place.
  it('gives the thumbnail back its old file when the video cannot take its place', async () => {
    const blobs = new BlobStore(join(dir, 'data'));
    const stored = async (text: string) => {
      await writeFile(join(dir, 'source'), text);
      return blobs.put(join(dir, 'source'));
    };
    await blobs.deliver([{ blob: await stored('old picture'), destination: join(dir, 'talk.jpg') }]);
    const picture = await stored('new picture');
    const video = await stored('new video');
    // As the thumbnail takes its place, something makes a folder where the video goes.
    const remember = ChecksumCache.prototype.remember;
    vi.spyOn(ChecksumCache.prototype, 'remember').mockImplementation(async function (
      this: ChecksumCache,
      path,
      sha,
    ) {
      if (path.endsWith('talk.jpg')) await mkdir(join(dir, 'talk.mp4', 'inside'), { recursive: true });
      return remember.call(this, path, sha);
    });
    await expect(
      blobs.deliver([
        { blob: picture, destination: join(dir, 'talk.jpg') },
        { blob: video, destination: join(dir, 'talk.mp4') },
      ]),
    ).rejects.toThrow();
    vi.restoreAllMocks();
    expect(await readFile(join(dir, 'talk.jpg'), 'utf8')).toBe('old picture');
    expect(await readdir(join(dir, 'talk.mp4'))).toEqual(['inside']);
    expect((await readdir(dir)).filter((name) => name.includes('.partial-'))).toEqual([]);
    // Delivered again with nothing in the way, both take their places and no copy is left.
    await rm(join(dir, 'talk.mp4'), { recursive: true });
    await blobs.deliver([
      { blob: picture, destination: join(dir, 'talk.jpg') },
      { blob: video, destination: join(dir, 'talk.mp4') },
    ]);
    expect(await readFile(join(dir, 'talk.jpg'), 'utf8')).toBe('new picture');
    expect((await readdir(dir)).filter((name) => name.includes('.partial-'))).toEqual([]);
  });
});

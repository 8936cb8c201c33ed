import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFfmpegError } from './errors.ts';
import { FFMPEG, FFPROBE, makeTempDir } from './test-fixtures.ts';
import { findProblems, verifyVideo } from './verify.ts';

/** A 1 s 160x90 H.264 + AAC file; audioSeconds lets the audio end early. */
function makeVideo(path: string, options: { audioSeconds?: number; audio?: boolean; codec?: string } = {}) {
  const audio =
    options.audio === false ? [] : ['-f', 'lavfi', '-i', `sine=duration=${options.audioSeconds ?? 1}`];
  execFileSync(FFMPEG, [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25:duration=1', ...audio],
    ...['-c:v', options.codec ?? 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', path],
  ]);
  return path;
}

describe('verifyVideo', () => {
  let tmp: { dir: string; cleanup: () => void };
  let good: string;
  beforeAll(() => {
    tmp = makeTempDir('vf-verify-');
    good = makeVideo(join(tmp.dir, 'good.mp4'));
  });
  afterAll(() => tmp.cleanup());

  const expectation = { width: 160, height: 90, durationMs: 1000, audio: true };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (e: unknown) => e,
    );

  it('returns the facts of a video that matches the plan', async () => {
    const facts = await verifyVideo(FFPROBE, FFMPEG, good, expectation);
    expect(facts).toMatchObject({
      path: good,
      source: 'ffprobe',
      video: { codec: 'h264', width: 160, height: 90, frameRate: 25, pixelFormat: 'yuv420p' },
      audio: { codec: 'aac' },
    });
    expect(facts.sizeBytes).toBeGreaterThan(1000);
    expect(Math.abs((facts.video?.durationMs ?? 0) - 1000)).toBeLessThanOrEqual(100);
  });

  it('says what differs: size, duration', async () => {
    const error = await failure(
      verifyVideo(FFPROBE, FFMPEG, good, { ...expectation, width: 320, durationMs: 3000 }),
    );
    expect(isFfmpegError(error, 'verify-failed')).toBe(true);
    expect(String(error)).toContain('size is 160x90, expected 320x90');
    expect(String(error)).toMatch(/video lasts 10\d\d ms, expected 3000 ms/);
  });

  it('catches audio that is missing or ends before the picture', async () => {
    const silent = makeVideo(join(tmp.dir, 'silent.mp4'), { audio: false });
    expect(String(await failure(verifyVideo(FFPROBE, FFMPEG, silent, expectation)))).toContain(
      'no audio stream',
    );
    expect((await verifyVideo(FFPROBE, FFMPEG, silent, { ...expectation, audio: false })).audio).toBeNull();

    const short = makeVideo(join(tmp.dir, 'short-audio.mp4'), { audioSeconds: 0.5 });
    const error = await failure(verifyVideo(FFPROBE, FFMPEG, short, expectation));
    expect(String(error)).toMatch(/audio lasts \d+ ms, expected 1000 ms/);
    expect(String(error)).toMatch(/audio \(\d+ ms\) and video \(\d+ ms\) lengths differ/);
  });

  it('rejects a codec other than H.264/HEVC, and a missing or unreadable file', async () => {
    const mpeg4 = makeVideo(join(tmp.dir, 'mpeg4.mp4'), { codec: 'mpeg4' });
    expect(String(await failure(verifyVideo(FFPROBE, FFMPEG, mpeg4, expectation)))).toContain(
      'video codec is mpeg4',
    );
    const missing = await failure(verifyVideo(FFPROBE, FFMPEG, join(tmp.dir, 'nope.mp4'), expectation));
    expect(isFfmpegError(missing, 'verify-failed')).toBe(true);
    expect(String(missing)).toContain('does not exist');
    // A truncated file: the moov atom at the end is missing, as after a crash mid-write.
    const truncated = join(tmp.dir, 'truncated.mp4');
    writeFileSync(truncated, readFileSync(good).subarray(0, 1000));
    const unreadable = await failure(verifyVideo(FFPROBE, FFMPEG, truncated, expectation));
    expect(isFfmpegError(unreadable, 'verify-failed')).toBe(true);
    expect(String(unreadable)).toContain('cannot be read');
  });

  it('falls back to ffmpeg -i when there is no ffprobe', async () => {
    const facts = await verifyVideo(null, FFMPEG, good, expectation);
    expect(facts).toMatchObject({
      source: 'ffmpeg',
      durationMs: 1000,
      video: { codec: 'h264', width: 160, height: 90, pixelFormat: 'yuv420p', frameRate: 25 },
      audio: { codec: 'aac', sampleRate: 44100, channels: 1 },
    });
    const counted = await verifyVideo(null, FFMPEG, good, { ...expectation, frames: 25 });
    expect(counted.video?.frames).toBe(25);
    const error = await failure(verifyVideo(null, FFMPEG, good, { ...expectation, height: 100 }));
    expect(String(error)).toContain('size is 160x90, expected 160x100');
  });
});

describe('findProblems', () => {
  it('allows the tolerance and no more', () => {
    const facts = {
      durationMs: 2000,
      source: 'ffprobe' as const,
      subtitles: null,
      video: {
        codec: 'hevc',
        width: 16,
        height: 16,
        durationMs: 2000,
        pixelFormat: null,
        frameRate: null,
        frames: 50,
        profile: null,
        level: null,
      },
      audio: { codec: 'aac', durationMs: 2090, sampleRate: 48000, channels: 2 },
    };
    const expect16 = { width: 16, height: 16, durationMs: 2000, audio: true };
    expect(findProblems(facts, expect16)).toEqual([]);
    expect(findProblems(facts, { ...expect16, toleranceMs: 50 })).toHaveLength(2);
  });

  it('wants the exact frame count when one is expected', () => {
    const facts = {
      durationMs: 2000,
      source: 'ffprobe' as const,
      subtitles: null,
      video: {
        codec: 'h264',
        width: 16,
        height: 16,
        durationMs: 2000,
        pixelFormat: null,
        frameRate: 25,
        frames: 50,
        profile: null,
        level: null,
      },
      audio: null,
    };
    const videoOnly = { width: 16, height: 16, durationMs: 2000, audio: false };
    expect(findProblems(facts, { ...videoOnly, frames: 50 })).toEqual([]);
    expect(findProblems(facts, { ...videoOnly, frames: 51 })).toEqual(['it has 50 frames, expected 51']);
    expect(
      findProblems({ ...facts, video: { ...facts.video, frames: null } }, { ...videoOnly, frames: 50 }),
    ).toEqual(['its frame count is unknown']);
  });
});

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  type FfmpegProgress,
  type ProgressBlock,
  ProgressParser,
  parseSpeed,
  toProgress,
} from './progress.ts';
import { runFfmpeg } from './run.ts';
import { LineTail } from './stderr-tail.ts';
import { FFMPEG } from './test-fixtures.ts';

const block = (outTimeUs: string, speed: string, progress = 'continue') =>
  `frame=10\nfps=0.00\nbitrate=N/A\nout_time_us=${outTimeUs}\nout_time_ms=${outTimeUs}\n` +
  `out_time=00:00:00.500000\ndup_frames=0\nspeed=${speed}\nprogress=${progress}\n`;

describe('ProgressParser', () => {
  it('reads out_time_ms as MICROseconds and copes with chunks split anywhere', () => {
    const blocks: ProgressBlock[] = [];
    const parser = new ProgressParser((b) => blocks.push(b));
    const text = block('500000', '   2.5x') + block('1250000', 'N/A') + block('2000000', '3x', 'end');
    for (let i = 0; i < text.length; i += 7) parser.push(text.slice(i, i + 7));
    expect(blocks).toEqual([
      { outTimeMs: 500, speed: 2.5, fps: null, frame: 10, done: false },
      { outTimeMs: 1250, speed: null, fps: null, frame: 10, done: false },
      { outTimeMs: 2000, speed: 3, fps: null, frame: 10, done: true },
    ]);
  });

  it('falls back to out_time when the microsecond fields are N/A', () => {
    const blocks: ProgressBlock[] = [];
    const parser = new ProgressParser((b) => blocks.push(b));
    parser.push('out_time_ms=N/A\nout_time=00:01:02.250000\nspeed=N/A\nprogress=continue\n');
    parser.push('out_time_ms=N/A\nout_time=-577014:32:22.775808\nprogress=continue\n');
    expect(blocks.map((b) => b.outTimeMs)).toEqual([62_250, 0]);
  });
});

const at = (
  outTimeMs: number | null,
  speed: number | null,
  fps: number | null,
  done = false,
): ProgressBlock => ({
  outTimeMs,
  speed,
  fps,
  frame: null,
  done,
});

describe('toProgress', () => {
  it('turns blocks into a clamped, never-decreasing fraction that ends at 1', () => {
    expect(toProgress(at(500, 2, 50), 2000, 0)).toEqual({
      fraction: 0.25,
      outTimeMs: 500,
      speed: 2,
      fps: 50,
      // 1.5 s of video left at 2× real time.
      etaMs: 750,
    });
    expect(toProgress(at(null, null, null), 2000, 800)).toEqual({ fraction: 0.4, outTimeMs: 800 });
    expect(toProgress(at(2100, null, null), 2000, 0).fraction).toBe(1);
    expect(toProgress(at(1500, null, null, true), 2000, 0)).toEqual({
      fraction: 1,
      outTimeMs: 2000,
      etaMs: 0,
    });
  });

  it('promises no time while ffmpeg has not measured its speed ("0x", N/A)', () => {
    expect(toProgress(at(0, 0, null), 2000, 0)).toEqual({ fraction: 0, outTimeMs: 0 });
  });

  it('parses padded and odd speed values', () => {
    expect(parseSpeed('  12.5x')).toBe(12.5);
    expect(parseSpeed('1.02e+03x')).toBe(1020);
    expect(parseSpeed('N/A')).toBeNull();
    expect(parseSpeed(undefined)).toBeNull();
  });
});

/** Real ffmpeg, paced at real time (-re) so it runs long enough to report several blocks. */
function pacedEncodeArgs(seconds: number, out: string): string[] {
  return [
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'],
    ...['-re', '-f', 'lavfi', '-i', `testsrc2=size=160x90:rate=25:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'null', out],
  ];
}

describe('progress of a real ffmpeg encode', () => {
  it('parses frames per second and speed from what ffmpeg 5 really writes', async () => {
    const child = spawn(FFMPEG, pacedEncodeArgs(2.5, '-'), { stdio: ['ignore', 'pipe', 'pipe'] });
    let raw = '';
    const blocks: ProgressBlock[] = [];
    const parser = new ProgressParser((b) => blocks.push(b));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      raw += chunk;
      parser.push(chunk);
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    // The raw text has the fields we read (a newer ffmpeg renaming them would fail here first).
    expect(raw).toMatch(/^fps=\d+\.\d+$/m);
    expect(raw).toMatch(/^speed=\s*\d+(\.\d+)?x$/m);
    expect(blocks.at(-1)?.done).toBe(true);
    expect(blocks.at(-1)?.frame).toBe(63);
    const measured = blocks.filter((b) => !b.done && b.fps !== null && b.speed !== null);
    expect(measured.length).toBeGreaterThanOrEqual(2);
    // -re paces the input at real time: 25 frames a second, speed 1×, give or take the start.
    for (const b of measured.slice(1)) {
      expect(b.fps).toBeGreaterThan(15);
      expect(b.fps).toBeLessThan(30);
      expect(b.speed).toBeGreaterThan(0.6);
      expect(b.speed).toBeLessThan(1.3);
    }
  });

  it('turns a real encode into fps, speed and an ETA that counts down to 0', async () => {
    const seen: FfmpegProgress[] = [];
    await runFfmpeg(FFMPEG, pacedEncodeArgs(3, '-'), { durationMs: 3000, onProgress: (p) => seen.push(p) });
    const timed = seen.filter((p) => p.etaMs !== undefined && p.fraction < 1);
    expect(timed.length).toBeGreaterThanOrEqual(2);
    // ffmpeg says fps=0.00 in its first block: that is "not measured yet", not zero.
    expect(timed.filter((p) => p.fps !== undefined).length).toBeGreaterThanOrEqual(1);
    for (const p of timed) {
      if (p.fps !== undefined) expect(p.fps).toBeGreaterThan(10);
      expect(p.speed).toBeGreaterThan(0);
      // At ~1× real time the time left is the video left.
      expect(Math.abs((p.etaMs as number) - (3000 - p.outTimeMs) / (p.speed as number))).toBeLessThan(1);
    }
    const etas = timed.map((p) => p.etaMs as number);
    expect(etas.at(-1)).toBeLessThan(etas[0] as number);
    expect(seen.at(-1)).toMatchObject({ fraction: 1, etaMs: 0 });
  });
});

describe('LineTail', () => {
  it('keeps only the last lines, each bounded', () => {
    const tail = new LineTail(3, 10);
    tail.push('one\ntwo\nthr');
    tail.push('ee\r\nfour\n\nfive is a very long line\nsix');
    expect(tail.text()).toBe('four\nfive is a \nsix');
  });
});

import { describe, expect, it } from 'vitest';
import { type ProgressBlock, ProgressParser, parseSpeed, toProgress } from './progress.ts';
import { LineTail } from './stderr-tail.ts';

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
      { outTimeMs: 500, speed: 2.5, done: false },
      { outTimeMs: 1250, speed: null, done: false },
      { outTimeMs: 2000, speed: 3, done: true },
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

describe('toProgress', () => {
  it('turns blocks into a clamped, never-decreasing fraction that ends at 1', () => {
    expect(toProgress({ outTimeMs: 500, speed: 2, done: false }, 2000, 0)).toEqual({
      fraction: 0.25,
      outTimeMs: 500,
      speed: 2,
    });
    expect(toProgress({ outTimeMs: null, speed: null, done: false }, 2000, 800)).toEqual({
      fraction: 0.4,
      outTimeMs: 800,
    });
    expect(toProgress({ outTimeMs: 2100, speed: null, done: false }, 2000, 0).fraction).toBe(1);
    expect(toProgress({ outTimeMs: 1500, speed: null, done: true }, 2000, 0)).toEqual({
      fraction: 1,
      outTimeMs: 2000,
    });
  });

  it('parses padded and odd speed values', () => {
    expect(parseSpeed('  12.5x')).toBe(12.5);
    expect(parseSpeed('1.02e+03x')).toBe(1020);
    expect(parseSpeed('N/A')).toBeNull();
    expect(parseSpeed(undefined)).toBeNull();
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

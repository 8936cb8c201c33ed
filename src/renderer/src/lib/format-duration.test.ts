import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatEstimate } from './format-duration.ts';

describe('formatDuration', () => {
  it('shows seconds under a minute', () => {
    expect(formatDuration(0.4)).toBe('under 1 s');
    expect(formatDuration(1)).toBe('1 s');
    expect(formatDuration(44.6)).toBe('45 s');
    expect(formatDuration(59.4)).toBe('59 s');
  });

  it('shows minutes and zero-padded seconds under an hour', () => {
    expect(formatDuration(59.6)).toBe('1 min');
    expect(formatDuration(65)).toBe('1 min 05 s');
    expect(formatDuration(125.2)).toBe('2 min 05 s');
    expect(formatDuration(3599)).toBe('59 min 59 s');
  });

  it('shows hours and minutes beyond, rounded to the minute', () => {
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(3600 + 3 * 60 + 20)).toBe('1 h 03 min');
    expect(formatDuration(2 * 3600 - 10)).toBe('2 h');
  });

  it('never shows nonsense for empty or broken input', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(-3)).toBe('0 s');
    expect(formatDuration(Number.NaN)).toBe('0 s');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('0 s');
  });

  it('marks estimates as approximate', () => {
    expect(formatEstimate(75)).toBe('about 1 min 15 s');
  });
});

describe('formatBytes', () => {
  it('uses the largest sensible unit', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB');
    expect(formatBytes(3.2 * 1024 ** 3)).toBe('3.2 GB');
  });
});

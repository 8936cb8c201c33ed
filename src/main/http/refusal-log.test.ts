import { describe, expect, it } from 'vitest';
import { refusalLog } from './refusal-log.ts';

describe('the refusal log', () => {
  it('logs a burst of 100 refusals per address, then one a second, saying how many it left out', () => {
    const log = refusalLog();
    const t0 = 1_000_000;
    const flood = Array.from({ length: 5000 }, (_, i) => log.take('10.0.0.9', t0 + i / 10));
    expect(flood.filter((taken) => taken.log)).toHaveLength(100);
    // Another address has its own burst.
    expect(log.take('10.0.0.10', t0)).toEqual({ log: true, leftOut: 0 });
    // A second later: one line, counting the 4,900 left out.
    expect(log.take('10.0.0.9', t0 + 1500)).toEqual({ log: true, leftOut: 4900 });
    expect(log.take('10.0.0.9', t0 + 1600)).toEqual({ log: false });
    // After a quiet minute and a half, a burst again.
    const later = Array.from({ length: 60 }, () => log.take('10.0.0.9', t0 + 100_000));
    expect(later.every((taken) => taken.log)).toBe(true);
  });
});

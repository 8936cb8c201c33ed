import { describe, expect, it } from 'vitest';
import { createManualTimers } from './clock.fixture.ts';
import { createCoalescer } from './coalescer.ts';

function setup(runMs = 0) {
  const timers = createManualTimers(1000);
  const runs: Array<{ at: number; value: number }> = [];
  let finishRun: (() => void) | null = null;
  const coalescer = createCoalescer<number>({
    minIntervalMs: 1000,
    timers,
    run: (value) => {
      runs.push({ at: timers.now(), value });
      if (!runMs) return Promise.resolve();
      return new Promise((resolve) => {
        finishRun = resolve;
      });
    },
    onError: () => {},
  });
  return { timers, runs, coalescer, finish: () => finishRun?.() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescer', () => {
  it('runs the first value at once, then at most once per interval with the latest value', async () => {
    const { timers, runs, coalescer } = setup();
    coalescer.push(1);
    await settle();
    for (const value of [2, 3, 4]) {
      timers.advance(100);
      coalescer.push(value);
    }
    await settle();
    expect(runs).toEqual([{ at: 1000, value: 1 }]);
    timers.advance(699);
    await settle();
    expect(runs).toHaveLength(1);
    timers.advance(1);
    await settle();
    expect(runs).toEqual([
      { at: 1000, value: 1 },
      { at: 2000, value: 4 },
    ]);
    timers.advance(5000);
    await settle();
    expect(runs).toHaveLength(2);
  });

  it('never overlaps two runs', async () => {
    const { timers, runs, coalescer, finish } = setup(1);
    coalescer.push(1);
    await settle();
    coalescer.push(2);
    timers.advance(3000);
    await settle();
    expect(runs.map((r) => r.value)).toEqual([1]);
    finish();
    await settle();
    expect(runs.map((r) => r.value)).toEqual([1, 2]);
  });

  it('drops what is pending on cancel and reports idle', async () => {
    const { timers, runs, coalescer } = setup();
    coalescer.push(1);
    coalescer.push(2);
    coalescer.cancel();
    await coalescer.idle();
    timers.advance(5000);
    coalescer.push(3);
    await settle();
    expect(runs.map((r) => r.value)).toEqual([1]);
    expect(timers.pending()).toBe(0);
  });
});

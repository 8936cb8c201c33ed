import { describe, expect, it } from 'vitest';
import { runWithConcurrency } from './task-pool.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('runWithConcurrency', () => {
  it('never runs more than the limit at once and runs everything', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runWithConcurrency([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
      done.push(n);
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('stops starting work after the first failure, waits for running work, then throws it', async () => {
    const started: number[] = [];
    let finished = 0;
    const run = runWithConcurrency([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error('first failed');
      await tick();
      finished++;
    });
    await expect(run).rejects.toThrow('first failed');
    expect(started).toEqual([1, 2]);
    expect(finished).toBe(1);
  });

  it('rejects with the abort reason once aborted', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const run = runWithConcurrency(
      [1, 2, 3],
      1,
      async (n) => {
        started.push(n);
        controller.abort();
      },
      controller.signal,
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(started).toEqual([1]);
  });
});

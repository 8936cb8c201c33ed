import { describe, expect, it } from 'vitest';
import { Heap } from './heap.ts';

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Heap', () => {
  it('pops in comparator order, with interleaved pushes and from an initial array', () => {
    const random = seeded(7);
    const initial = Array.from({ length: 500 }, () => Math.floor(random() * 1000));
    const heap = new Heap<number>((a, b) => a - b, initial);
    const expected = [...initial];
    const popped: number[] = [];
    for (let i = 0; i < 2000; i++) {
      if (random() < 0.6) {
        const value = Math.floor(random() * 1000);
        heap.push(value);
        expected.push(value);
      } else {
        const top = heap.pop();
        if (top === undefined) continue;
        expected.sort((a, b) => a - b);
        expect(top).toBe(expected.shift());
        popped.push(top);
      }
    }
    expect(heap.size).toBe(expected.length);
    expected.sort((a, b) => a - b);
    const rest: number[] = [];
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) rest.push(v);
    expect(rest).toEqual(expected);
    expect(heap.peek()).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { compilePipeline, downstreamOf } from './graph.ts';

const kinds = new Set(['k']);
const step = (key: string, dependsOn: string[] = []) => ({ key, kind: 'k', dependsOn });

describe('compilePipeline', () => {
  it('orders steps so dependencies come first, keeping recipe order among equals', () => {
    const graph = compilePipeline(
      { steps: [step('d', ['b', 'c']), step('b', ['a']), step('c', ['a']), step('a')] },
      kinds,
    );
    expect(graph.steps.map((s) => s.key)).toEqual(['a', 'b', 'c', 'd']);
    expect([...downstreamOf(graph, 'b')].sort()).toEqual(['b', 'd']);
  });

  it.each([
    [{ steps: [] }, /no steps/],
    [{ steps: [step('a'), step('a')] }, /duplicate step key "a"/],
    [{ steps: [step('a', ['z'])] }, /unknown step "z"/],
    [{ steps: [step('a', ['b']), step('b', ['a'])] }, /cycle among: a, b/],
    [{ steps: [step('a', ['a'])] }, /depends on itself/],
    [{ steps: [{ key: 'a', kind: 'nope', dependsOn: [] }] }, /unknown kind "nope"/],
    [{ steps: [step('Bad Key')] }, /invalid step key/],
  ])('rejects a broken pipeline %#', (pipeline, message) => {
    expect(() => compilePipeline(pipeline, kinds)).toThrow(message);
  });
});

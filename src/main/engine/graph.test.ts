import { describe, expect, it } from 'vitest';
import { compilePipeline, downstreamOf } from './graph.ts';

const kinds = new Map([['k', {}]]);
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

  // Found by attacking the pipeline: a recipe whose steps were renamed, or whose plan did not depend on
  // its captions, failed when the step ran, after the narration before it was paid for.
  it('rejects a step not made to depend on a step it reads, of the kind it reads', () => {
    const reading = new Map<string, { needs?: Record<string, string> }>([
      ['parse', {}],
      ['speak', { needs: { script: 'parse' } }],
    ]);
    const speak = (dependsOn: string[]) => ({ key: 'narration', kind: 'speak', dependsOn });
    const ok = compilePipeline(
      { steps: [{ key: 'script', kind: 'parse', dependsOn: [] }, speak(['script'])] },
      reading,
    );
    expect(ok.steps.map((s) => s.key)).toEqual(['script', 'narration']);
    expect(() =>
      compilePipeline(
        { steps: [{ key: 'parsed', kind: 'parse', dependsOn: [] }, speak(['parsed'])] },
        reading,
      ),
    ).toThrow(
      'step "narration" (speak) reads step "script": it must depend on a step "script" of kind "parse"',
    );
    expect(() =>
      compilePipeline({ steps: [{ key: 'script', kind: 'parse', dependsOn: [] }, speak([])] }, reading),
    ).toThrow(/reads step "script"/);
    expect(() =>
      compilePipeline(
        { steps: [{ key: 'script', kind: 'speak', dependsOn: [] }, speak(['script'])] },
        new Map([...reading, ['speak', {}]]),
      ),
    ).not.toThrow();
  });
});

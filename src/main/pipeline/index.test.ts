import { describe, expect, it } from 'vitest';
import type { Db } from '../db/open.ts';
import { FROM_BRIEF_PIPELINE, NARRATED_PIPELINE } from '../db/seed-data.ts';
import { compilePipeline } from '../engine/graph.ts';
import { builtinHandlers } from './index.ts';
import type { PipelineServices } from './services.ts';

// Nothing is run: the handlers are only asked what they read.
const handlers = builtinHandlers({} as PipelineServices, {} as Db);
const renamed = (from: string, to: string) =>
  NARRATED_PIPELINE.steps.map((s) => ({
    ...s,
    key: s.key === from ? to : s.key,
    dependsOn: s.dependsOn.map((d) => (d === from ? to : d)),
  }));

// Found by attacking the pipeline: these recipes were saved, and failed only when a step ran (the
// plan's after the narration was paid for).
describe('the steps each built-in step reads', () => {
  it('are wired in the seeded recipes', () => {
    expect(compilePipeline(NARRATED_PIPELINE, handlers).steps).toHaveLength(6);
    expect(compilePipeline(FROM_BRIEF_PIPELINE, handlers).steps).toHaveLength(7);
  });

  it.each([
    [
      'a step renamed',
      { steps: renamed('narration', 'speak') },
      /step "captions" \(captions.build\) reads step "narration"/,
    ],
    [
      'a plan that does not depend on the captions',
      {
        steps: NARRATED_PIPELINE.steps.map((s) =>
          s.key === 'plan' ? { ...s, dependsOn: ['script', 'narration'] } : s,
        ),
      },
      /step "plan" \(render.plan\) reads step "captions"/,
    ],
    [
      'a video that does not depend on the plan',
      {
        steps: NARRATED_PIPELINE.steps.map((s) => (s.key === 'video' ? { ...s, dependsOn: ['script'] } : s)),
      },
      /step "video" \(render.encode\) reads step "plan"/,
    ],
    // Found by attacking the Library: Claude was paid for the script, and the job failed as having none.
    [
      'a write step under another key',
      {
        steps: FROM_BRIEF_PIPELINE.steps.map((s) =>
          s.key === 'write'
            ? { ...s, key: 'author' }
            : s.key === 'script'
              ? { ...s, dependsOn: ['author'] }
              : s,
        ),
      },
      /step "script" \(script.parse\) reads step "write": it must depend on a step "write" of kind "script.write"/,
    ],
    [
      'a write step the parse does not depend on',
      {
        steps: FROM_BRIEF_PIPELINE.steps.map((s) => (s.key === 'script' ? { ...s, dependsOn: [] } : s)),
      },
      /step "script" \(script.parse\) reads step "write"/,
    ],
  ])('are refused when they are not: %s', (_what, pipeline, message) => {
    expect(() => compilePipeline(pipeline, handlers)).toThrow(message);
  });
});

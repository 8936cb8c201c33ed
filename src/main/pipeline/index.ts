import type { Db } from '../db/open.ts';
import { type HandlerRegistry, registryOf } from '../engine/step-handler.ts';
import { captionsStep } from './captions-step.ts';
import { encodeStep } from './encode-step.ts';
import { narrationStep } from './narration-step.ts';
import { renderPlanStep } from './plan-step.ts';
import { scriptParseStep } from './script-step.ts';
import type { PipelineServices } from './services.ts';
import { ssmlStep } from './ssml-step.ts';
import { writeScriptStep } from './write-step.ts';

export { createDefaultServices, ffmpegService } from './default-services.ts';
export type { FarmEncodeService, PipelineServices } from './services.ts';

/** Every step kind a recipe may name, wired to the given outside world. */
export function builtinHandlers(services: PipelineServices, db: Db): HandlerRegistry {
  return registryOf([
    writeScriptStep(db, services),
    scriptParseStep(services),
    ssmlStep(services),
    narrationStep(services),
    captionsStep(services),
    renderPlanStep(services),
    encodeStep(services),
  ]);
}

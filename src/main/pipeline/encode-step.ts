import { join } from 'node:path';
import { type RenderPlan, validateRenderPlan } from '../../shared/render-plan.ts';
import { StepError } from '../engine/errors.ts';
import type { StepHandler, StepResult } from '../engine/step-handler.ts';
import { encodeInChildProcess, linkPlanAssets, selectEncoder } from '../ffmpeg/index.ts';
import { readInputJson } from './files.ts';
import type { PipelineServices } from './services.ts';

const ENCODE_VERSION = 'encode/1';

/** RenderPlan → verified MP4, encoded in a separate process (a utility process in the app). */
export function encodeStep(services: PipelineServices): StepHandler {
  return {
    kind: 'render.encode',
    resource: 'encoder',
    async version({ inputs }) {
      const plan = await readInputJson<RenderPlan>(inputs, 'plan', 'plan');
      // On a farm any Mac may encode: the plan's encoder preference is what is fixed.
      if (services.farm) return `${ENCODE_VERSION}/farm/${plan.output.encoders.join(',')}`;
      const { probe } = await services.ffmpeg();
      return `${ENCODE_VERSION}/ffmpeg ${probe.version}/${selectEncoder(plan.output.encoders, probe)}`;
    },
    config: () => ({ threads: services.encoderThreads ?? null }),
    async run(ctx): Promise<StepResult> {
      const checked = validateRenderPlan(await readInputJson<unknown>(ctx.inputs, 'plan', 'plan'));
      if (!checked.ok) throw new StepError('fatal', `invalid render plan: ${checked.errors.join('; ')}`);
      const plan = checked.plan;
      if (services.farm) {
        const planSha256 = ctx.inputs.plan?.files.plan?.sha256 as string;
        const result = await services.farm.encode({
          jobId: ctx.jobId,
          plan,
          planSha256,
          workDir: ctx.workDir,
          signal: ctx.signal,
          onProgress: (fraction, rate) => ctx.progress(fraction, rate),
        });
        const metadata = { encoder: result.encoder, farm: true, segments: result.segments };
        return {
          files: { video: { path: result.path, type: 'video', metadata } },
          data: { encoder: result.encoder, durationMs: plan.durationMs },
        };
      }
      const { location, probe } = await services.ffmpeg();
      const encoder = selectEncoder(plan.output.encoders, probe);
      const { assetPaths, fontsDir } = await linkPlanAssets(plan, services.blobPath, ctx.workDir);
      const outPath = join(ctx.workDir, 'video.mp4');
      const result = await encodeInChildProcess(
        {
          ffmpegPath: location.ffmpegPath,
          ffprobePath: location.ffprobePath,
          plan,
          assetPaths,
          outPath,
          encoder,
          fontsDir,
          ...(services.encoderThreads ? { threads: services.encoderThreads } : {}),
        },
        {
          signal: ctx.signal,
          onProgress: ({ fraction, ...rate }) => ctx.progress(fraction, rate),
          ...(services.encodeRunnerPath ? { runnerPath: services.encodeRunnerPath } : {}),
          ...(services.startEncodeRunner ? { startRunner: services.startEncodeRunner } : {}),
        },
      );
      return {
        files: {
          video: {
            path: result.outPath,
            type: 'video',
            metadata: {
              encoder: result.encoder,
              facts: result.facts as never,
              args: result.args,
              elapsedMs: result.elapsedMs,
            },
          },
        },
        data: { encoder: result.encoder, durationMs: plan.durationMs },
      };
    },
  };
}

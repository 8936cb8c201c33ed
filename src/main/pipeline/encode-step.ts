import { join } from 'node:path';
import { type RenderPlan, validateRenderPlan } from '../../shared/render-plan.ts';
import { StepError } from '../engine/errors.ts';
import type { StepHandler, StepResult } from '../engine/step-handler.ts';
import type { Json } from '../db/schema.ts';
import {
  encodeInChildProcess,
  type LoudnessFacts,
  linkPlanAssets,
  measureFileLoudness,
  selectEncoder,
} from '../ffmpeg/index.ts';
import { readInputJson } from './files.ts';
import type { PipelineServices } from './services.ts';

// /2: the video's measured loudness is part of the step's data.
const ENCODE_VERSION = 'encode/2';

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
          onProgress: (fraction) => ctx.progress(fraction),
        });
        const metadata = { encoder: result.encoder, farm: true, segments: result.segments };
        // Verified where it was made and again here on arrival; measured once more to be recorded.
        const loudness = plan.audio.loudness
          ? await measureFileLoudness((await services.ffmpeg()).location.ffmpegPath, result.path, {
              durationMs: plan.durationMs,
            })
          : undefined;
        return {
          files: { video: { path: result.path, type: 'video', metadata } },
          data: { encoder: result.encoder, durationMs: plan.durationMs, ...loudnessData(loudness) },
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
          onProgress: (p) => ctx.progress(p.fraction),
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
        data: {
          encoder: result.encoder,
          durationMs: plan.durationMs,
          ...loudnessData(result.facts.loudness),
        },
      };
    },
  };
}

/** The job records the loudness its video was measured at (the verify step's figures). */
function loudnessData(loudness: LoudnessFacts | undefined): { loudness?: Json } {
  if (!loudness) return {};
  const { integratedLufs, truePeakDbtp, rangeLu } = loudness;
  // -inf (silence) is not JSON: it is recorded as null.
  const finite = (value: number) => (Number.isFinite(value) ? value : null);
  return {
    loudness: {
      integratedLufs: finite(integratedLufs),
      truePeakDbtp: finite(truePeakDbtp),
      rangeLu: finite(rangeLu),
    },
  };
}

import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StepError } from '../engine/errors.ts';
import type { StepHandler } from '../engine/step-handler.ts';
import { encodeInChildProcess, selectEncoder } from '../ffmpeg/index.ts';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { validateRenderPlan } from '../../shared/render-plan.ts';
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
      const { probe } = await services.ffmpeg();
      return `${ENCODE_VERSION}/ffmpeg ${probe.version}/${selectEncoder(plan.output.encoders, probe)}`;
    },
    config: () => ({ threads: services.encoderThreads ?? null }),
    async run(ctx) {
      const checked = validateRenderPlan(await readInputJson<unknown>(ctx.inputs, 'plan', 'plan'));
      if (!checked.ok) throw new StepError('fatal', `invalid render plan: ${checked.errors.join('; ')}`);
      const plan = checked.plan;
      const { location, probe } = await services.ffmpeg();
      const encoder = selectEncoder(plan.output.encoders, probe);
      // Blobs are named by checksum; ffmpeg and libass want real names and a folder holding only fonts.
      const assetDir = join(ctx.workDir, 'assets');
      const fontsDir = join(ctx.workDir, 'fonts');
      await mkdir(assetDir, { recursive: true });
      await mkdir(fontsDir, { recursive: true });
      const assetPaths: Record<string, string> = {};
      for (const [id, ref] of Object.entries(plan.assets)) {
        const link = join(ref.kind === 'font' ? fontsDir : assetDir, ref.kind === 'font' ? ref.name : `${id}-${ref.name}`);
        await symlink(services.blobPath(ref.sha256), link);
        assetPaths[id] = link;
      }
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
        { signal: ctx.signal, onProgress: (p) => ctx.progress(p.fraction) },
      );
      return {
        files: {
          video: {
            path: result.outPath,
            type: 'video',
            metadata: { encoder: result.encoder, facts: result.facts as never, args: result.args, elapsedMs: result.elapsedMs },
          },
        },
        data: { encoder: result.encoder, durationMs: plan.durationMs },
      };
    },
  };
}

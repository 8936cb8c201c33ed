/**
 * Where the plan's burned-in captions draw, measured by the plan step while it measures the loudness
 * (two single-threaded ffmpeg runs side by side) instead of by the encode step before its first frame.
 * The encode step reads it from the step's data (captionBoxOf); absent, the encode measures it itself.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderPlan } from '../../shared/render-plan.ts';
import type { Json } from '../db/schema.ts';
import type { StepOutput } from '../engine/step-handler.ts';
import { type CaptionBox, CaptionBoxSchema, linkPlanAssets, measureCaptionBox } from '../ffmpeg/index.ts';
import type { PlanAssetList } from './plan-asset-list.ts';

/** Undefined: captions not burned in, drawn every frame, or the measuring run failed. */
export async function planCaptionBox(
  ffmpegPath: string,
  plan: RenderPlan,
  assets: PlanAssetList,
  workDir: string,
  signal?: AbortSignal,
): Promise<CaptionBox | null | undefined> {
  const captions = plan.captions;
  const captionsPath = captions?.burnIn ? assets.paths[captions.asset] : undefined;
  if (!captionsPath) return undefined;
  // libass is given what the encode gives it: the plan's fonts linked the way linkPlanAssets links them
  // for the encode (a folder of fonts only, under their asset names), so it draws the same pixels. The
  // plan's files are not in the blob store yet: each checksum leads to the file in this step's folder.
  const pathOf = new Map(Object.entries(plan.assets).map(([id, ref]) => [ref.sha256, assets.paths[id]]));
  const fonts = new Set(Object.keys(plan.assets).filter((id) => plan.assets[id]?.kind === 'font'));
  const { fontsDir } = await linkPlanAssets(
    plan,
    (sha256) => {
      const path = pathOf.get(sha256);
      if (!path) throw new Error(`no file for the plan's asset ${sha256}`);
      return path;
    },
    join(workDir, 'caption-box'),
    fonts,
  );
  const captionsText = await readFile(captionsPath, 'utf8');
  return measureCaptionBox(ffmpegPath, { plan, assetPaths: assets.paths, fontsDir, captionsText }, signal);
}

/** The box the plan step recorded in its data; undefined when it recorded none (or an older plan). */
export function captionBoxOf(planStep: StepOutput | undefined): CaptionBox | null | undefined {
  const data = planStep?.data as { captionBox?: Json } | null | undefined;
  if (data?.captionBox === undefined) return undefined;
  const parsed = CaptionBoxSchema.nullable().safeParse(data.captionBox);
  return parsed.success ? parsed.data : undefined;
}

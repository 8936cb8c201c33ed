/**
 * Where the plan's burned-in captions draw, measured by the plan step while it measures the loudness
 * (two single-threaded ffmpeg runs side by side) instead of by the encode step before its first frame.
 * The encode step reads it from the step's data (captionBoxOf); absent, the encode measures it itself.
 */
import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderPlan } from '../../shared/render-plan.ts';
import type { Json } from '../db/schema.ts';
import type { StepOutput } from '../engine/step-handler.ts';
import { type CaptionBox, CaptionBoxSchema, measureCaptionBox } from '../ffmpeg/index.ts';
import type { PlanAssetList } from './plan-asset-list.ts';

/** Undefined: captions not burned in, drawn every frame, or the measuring run failed. */
export async function planCaptionBox(
  ffmpegPath: string,
  plan: RenderPlan,
  assets: PlanAssetList,
  workDir: string,
): Promise<CaptionBox | null | undefined> {
  const captions = plan.captions;
  const captionsPath = captions?.burnIn ? assets.paths[captions.asset] : undefined;
  if (!captionsPath) return undefined;
  // libass gets what the encode gives it (linkPlanAssets): a folder of the plan's fonts only, each
  // under its asset name, so it picks the same faces and draws the same pixels.
  const fontsDir = join(workDir, 'caption-fonts');
  await rm(fontsDir, { recursive: true, force: true });
  await mkdir(fontsDir, { recursive: true });
  for (const [id, ref] of Object.entries(plan.assets)) {
    const path = assets.paths[id];
    if (ref.kind === 'font' && path) await symlink(path, join(fontsDir, ref.name));
  }
  const captionsText = await readFile(captionsPath, 'utf8');
  return measureCaptionBox(ffmpegPath, { plan, assetPaths: assets.paths, fontsDir, captionsText });
}

/** The box the plan step recorded in its data; undefined when it recorded none (or an older plan). */
export function captionBoxOf(planStep: StepOutput | undefined): CaptionBox | null | undefined {
  const data = planStep?.data as { captionBox?: Json } | null | undefined;
  if (data?.captionBox === undefined) return undefined;
  const parsed = CaptionBoxSchema.nullable().safeParse(data.captionBox);
  return parsed.success ? parsed.data : undefined;
}

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { THUMBNAIL_FILE_TYPE } from '../../shared/artifact-types.ts';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { StepError } from '../engine/errors.ts';
import type { ProducedFile } from '../engine/step-handler.ts';
import { isFfmpegError, linkPlanAssets, makeThumbnail, THUMBNAIL_SIZE } from '../ffmpeg/index.ts';
import type { PipelineServices } from './services.ts';

/**
 * The video's thumbnail, made here from the plan's own assets (in the blob store on the Mac that made
 * the plan), whether the video was encoded here or on the farm: it is one small picture.
 */
export async function thumbnailFile(
  services: PipelineServices,
  plan: RenderPlan,
  workDir: string,
  signal?: AbortSignal,
): Promise<ProducedFile> {
  const dir = join(workDir, 'thumbnail');
  // Its own folder, made anew: a second try (encode-step.ts) links the same assets again.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const first = plan.scenes[0]?.visual;
  const needed = new Set<string>();
  if (plan.thumbnail?.image) needed.add(plan.thumbnail.image);
  else if (first && first.kind !== 'color') needed.add(first.asset);
  if (plan.thumbnail) needed.add(plan.thumbnail.font);
  const { assetPaths } = await linkPlanAssets(plan, services.blobPath, dir, needed);
  const { location } = await services.ffmpeg();
  const outPath = join(dir, 'thumbnail.jpg');
  try {
    await makeThumbnail({ ffmpegPath: location.ffmpegPath, plan, assetPaths, outPath, workDir: dir, signal });
  } catch (error) {
    if (isFfmpegError(error)) throw new StepError('retryable', error.message, { cause: error });
    throw error;
  }
  return { path: outPath, type: THUMBNAIL_FILE_TYPE, metadata: { ...THUMBNAIL_SIZE } };
}

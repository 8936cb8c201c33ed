/**
 * The thumbnail: a 1280x720 JPEG made from the plan, never from the encoded video (a video frame has
 * captions and motion in it). The script's own `thumbnail:` image is used as it is, scaled and cropped
 * to cover the frame: its author made it to be the thumbnail, with any words it needs. Otherwise the
 * first scene's picture (its image, its colour, or its clip's first frame) with the title drawn over it
 * in the plan's look, when the script has a title.
 */
import { join } from 'node:path';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { writeSideFiles } from './encode-job.ts';
import { FfmpegError } from './errors.ts';
import { coverChain } from './filters.ts';
import { mediaInput } from './media-input.ts';
import { type TextFile, titleLayerSource } from './title-card.ts';
import { writeThroughPartial } from './write-through-partial.ts';

/** What YouTube asks for (16:9, at least 1280 wide); one size for every preset. */
export const THUMBNAIL_SIZE = { width: 1280, height: 720 } as const;
/** mjpeg's quality scale (2 best .. 31 worst): near the best, a thumbnail is small anyway. */
const JPEG_QUALITY = 3;

export interface ThumbnailCommand {
  args: string[];
  files: TextFile[];
}

/** The ffmpeg arguments writing the thumbnail of `plan` to `outPath` (pure: the caller writes `files`). */
export function buildThumbnailCommand(
  plan: RenderPlan,
  assetPaths: Record<string, string>,
  outPath: string,
  workDir: string,
): ThumbnailCommand {
  const pathOf = (id: string): string => {
    const path = assetPaths[id];
    if (!path) throw new FfmpegError('invalid-request', `no file given for asset "${id}"`);
    return path;
  };
  const thumbnail = plan.thumbnail;
  const inputs: string[] = [];
  const statements: string[] = [];
  const files: TextFile[] = [];
  const first = plan.scenes[0]?.visual;
  const cover = `${coverChain(THUMBNAIL_SIZE)},format=yuv420p`;
  if (thumbnail?.image) {
    inputs.push(...mediaInput(pathOf(thumbnail.image)));
    statements.push(`[0:v:0]trim=end_frame=1,${cover}[base]`);
  } else if (!first || first.kind === 'color') {
    const hex = (first?.kind === 'color' ? first.color : '#000000').replace('#', '0x');
    const { width, height } = THUMBNAIL_SIZE;
    statements.push(`color=c=${hex}:s=${width}x${height}:r=1,trim=end_frame=1,format=yuv420p,setsar=1[base]`);
  } else {
    inputs.push(...mediaInput(pathOf(first.asset)));
    statements.push(`[0:v:0]trim=end_frame=1,setpts=PTS-STARTPTS,${cover}[base]`);
  }
  let out = '[base]';
  const text = thumbnail && !thumbnail.image ? thumbnail.text : undefined;
  if (thumbnail && text) {
    const layer = titleLayerSource(text, thumbnail.look, pathOf(thumbnail.font), THUMBNAIL_SIZE, 1, 1, {
      workDir,
      tag: 'thumbnail',
      files,
    });
    statements.push(`${layer}[title]`, '[base][title]overlay=format=yuv420[thumb]');
    out = '[thumb]';
  }
  const args = [
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'],
    ...inputs,
    ...['-filter_complex', statements.join(';\n'), '-map', out, '-frames:v', '1'],
    // Full-range 4:2:0, what JPEG viewers expect.
    ...['-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', '-q:v', String(JPEG_QUALITY), '-f', 'mjpeg', outPath],
  ];
  return { args, files };
}

/** Writes the thumbnail of `plan` to `outPath` (through a temporary file: never half a JPEG there). */
export async function makeThumbnail(input: {
  ffmpegPath: string;
  plan: RenderPlan;
  assetPaths: Record<string, string>;
  outPath: string;
  workDir: string;
  signal?: AbortSignal | undefined;
}): Promise<void> {
  const partial = join(input.workDir, 'thumbnail.partial.jpg');
  const command = buildThumbnailCommand(input.plan, input.assetPaths, partial, input.workDir);
  await writeSideFiles(command.files);
  await writeThroughPartial(
    input.ffmpegPath,
    command.args,
    { partial, outPath: input.outPath },
    { what: 'making the thumbnail failed', timeoutMs: 60_000, signal: input.signal },
  );
}

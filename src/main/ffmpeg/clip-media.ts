/**
 * A script's video clips before they go into a plan: what a file holds (a video stream? how long?),
 * and the part of it a range names, cut into a file of its own. The encoder loops a clip with
 * `-stream_loop`, which always restarts at the file's start, so a range is made a file first; the
 * farm then also sends a worker only the seconds it shows, not the whole source.
 */
import { partialPathFor } from '../util/atomic-file.ts';
import { FfmpegError } from './errors.ts';
import { captureOutput } from './exec.ts';
import { type MediaFacts, PROBE_ENTRIES, parseFfmpegInfo, parseFfprobeJson } from './media-facts.ts';
import { mediaInput, mediaProbeArgs } from './media-input.ts';
import type { Size } from './motion-geometry.ts';
import { fitFilter } from './still-fit.ts';
import { writeThroughPartial } from './write-through-partial.ts';

export interface ClipFacts {
  hasVideo: boolean;
  /** The video's frame size (0 when there is no video). */
  width: number;
  height: number;
  /** Null when neither the container nor the stream tells. */
  durationMs: number | null;
}

/** Null when the file is not media ffmpeg can read at all. */
export async function probeClip(
  ffprobePath: string | null,
  ffmpegPath: string,
  path: string,
): Promise<ClipFacts | null> {
  const facts = await probeMediaFacts(ffprobePath, ffmpegPath, path);
  return facts && clipFactsOf(facts);
}

/** What a probed file holds, read as a clip. */
export function clipFactsOf(facts: MediaFacts): ClipFacts {
  return {
    hasVideo: facts.video !== null,
    width: facts.video?.width ?? 0,
    height: facts.video?.height ?? 0,
    durationMs: facts.video?.durationMs ?? facts.durationMs,
  };
}

/** A probed file's size as a picture; null when it holds none. */
export function pictureSizeOf(facts: MediaFacts | null): { width: number; height: number } | null {
  const video = facts?.video;
  return video && video.width > 0 && video.height > 0 ? { width: video.width, height: video.height } : null;
}

/**
 * Whether the file's video gives at least one frame (one is decoded). A header may claim a minute
 * of video that holds none, or a range may lie past where its video ends (a second of video under a
 * minute of sound): such a clip passed the plan and failed the encode three times, unlocated.
 */
export async function hasVideoFrame(ffmpegPath: string, path: string): Promise<boolean> {
  const out = await captureOutput(ffmpegPath, [
    ...['-hide_banner', '-nostdin', '-v', 'error', ...mediaInput(path)],
    ...['-map', '0:v:0', '-frames:v', '1', '-f', 'framemd5', '-'],
  ]);
  // Stopped (its time ran out): not an answer about the clip.
  if (out.code === null)
    throw new FfmpegError('probe-failed', `reading the first frame of ${path} did not finish`);
  return out.stdout.split('\n').some((line) => line.trim() !== '' && !line.startsWith('#'));
}

/** A still's size in pixels; null when ffmpeg cannot read it as a picture. */
export async function probePicture(
  ffprobePath: string | null,
  ffmpegPath: string,
  path: string,
): Promise<{ width: number; height: number } | null> {
  return pictureSizeOf(await probeMediaFacts(ffprobePath, ffmpegPath, path));
}

/**
 * What a medium holds (streams, sizes, lengths), opened only as a kind a script may name; null when
 * ffmpeg cannot read it at all.
 */
export function probeMediaFacts(
  ffprobePath: string | null,
  ffmpegPath: string,
  path: string,
): Promise<MediaFacts | null> {
  const facts = ffprobePath
    ? captureOutput(ffprobePath, [
        ...['-v', 'error', '-print_format', 'json', ...PROBE_ENTRIES],
        ...mediaProbeArgs(path),
      ]).then((out) => (out.code === 0 ? parseFfprobeJson(out.stdout) : null))
    : captureOutput(ffmpegPath, ['-hide_banner', '-nostdin', ...mediaInput(path)]).then((out) =>
        parseFfmpegInfo(out.stderr),
      );
  // ffmpeg alone prints a medium's tags, which may pass the output's cap: a medium it cannot describe.
  return facts.catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return null;
    throw error;
  });
}

/** High quality for an intermediate: the final encode is the only visible generation. */
const CUT_VIDEO_ARGS: Record<'libx264' | 'mpeg4', string[]> = {
  libx264: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '14', '-pix_fmt', 'yuv420p'],
  // Every ffmpeg has this one.
  mpeg4: ['-c:v', 'mpeg4', '-q:v', '2', '-pix_fmt', 'yuv420p'],
};

/**
 * The video of `range` (ms into the source), without its sound, as an MP4 at `outPath`; how many frames
 * it holds (0: the source has no picture there, though its header may say it lasts that long).
 */
export async function cutClipRange(
  ffmpegPath: string,
  encoders: readonly string[],
  sourcePath: string,
  range: { startMs: number; endMs: number },
  outPath: string,
  /** The video's frame, when the clip is larger than it can use: made smaller on the way (still-fit.ts). */
  fitTo?: Size,
  signal?: AbortSignal,
): Promise<{ frames: number }> {
  const partial = `${partialPathFor(outPath)}.mp4`;
  const codec = encoders.includes('libx264') ? CUT_VIDEO_ARGS.libx264 : CUT_VIDEO_ARGS.mpeg4;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  // -ss before -i while transcoding: ffmpeg decodes from the keyframe before and drops frames up to the
  // start, so the cut starts on the frame asked for.
  const args = [
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'],
    ...['-ss', seconds(range.startMs), ...mediaInput(sourcePath), '-t', seconds(range.endMs - range.startMs)],
    ...['-map', '0:v:0', '-an', '-sn', '-dn', ...(fitTo ? ['-vf', fitFilter(fitTo)] : []), ...codec],
    ...['-f', 'mp4', partial],
  ];
  const out = await writeThroughPartial(
    ffmpegPath,
    args,
    { partial, outPath },
    { what: 'cannot cut the clip', timeoutMs: 10 * 60_000, signal },
  );
  // The last progress report counts every frame written.
  const reported = [...out.stdout.matchAll(/^frame=(\d+)$/gm)].at(-1)?.[1];
  return { frames: Number(reported ?? 0) };
}

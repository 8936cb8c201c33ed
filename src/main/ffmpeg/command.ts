/**
 * Turns a RenderPlan into ONE ffmpeg invocation: every scene rendered at the output size and frame
 * rate, concatenated, captions burned in, narration (+ ducked music) mixed, encoded to MP4.
 * A segment's plan renders only its scenes, video only, with the captions it would show at the same
 * place in the whole video (see join.ts for putting segments together).
 * Pure: same input, same arguments (and the same side files: the zooms' keyframe commands, which the
 * caller writes before running ffmpeg); easy to test and to re-run by hand for benchmarks.
 */
import { dirname, join } from 'node:path';
import {
  encodeSpan,
  planFrameCount,
  type ScenePart as SpanPart,
  sceneFrames,
  transitionFrames,
} from '../../shared/plan-frames.ts';
import type { Motion, RenderOutput, RenderPlan, Scene } from '../../shared/render-plan.ts';
import { audioGraph, audioInputSpecs } from './audio-graph.ts';
import {
  type CaptionBox,
  type CaptionStates,
  captionOverlayStatements,
  captionStates,
  readAssTimeline,
} from './caption-overlay.ts';
import { FfmpegError } from './errors.ts';
import { clipChain, colorSource, filterPath, stillFrameChain, zoompanReferenceChain } from './filters.ts';
import { captionsInput, mediaInput } from './media-input.ts';
import { isPan, isZoom, type ScenePart, type Size } from './motion-geometry.ts';
import { panStatements, planPan } from './motion-pan.ts';
import { planZoom, zoomChain, zoomCommands } from './motion-zoom.ts';
import { encoderMaxPixels, scenesPerEncode } from './scene-budget.ts';
import { titleCardStatements } from './title-card.ts';
import { VIDEO_COLOR_TAGS } from './video-colors.ts';

/**
 * Scenes and captions are drawn in this format whatever the output's: every filter on the way takes it,
 * and the output format (nv12 for VideoToolbox) is one conversion at the end.
 */
const WORK_FORMAT = 'yuv420p';
/** Past this many caption states the once-per-state graph gets long: draw every frame instead. */
const MAX_CAPTION_STATES = 4000;
/**
 * Drawing a caption state costs several frames' worth of per-frame drawing (two full-frame libass renders
 * for the layer and two more in the measuring run, the alpha extraction, a conversion; measured at 1080p:
 * ~17 ms a state for the layer against ~2.4 ms a frame for subtitles), so captions changing more often
 * than every FRAMES_PER_STATE frames on average are drawn every frame.
 */
const FRAMES_PER_STATE = 10;

/**
 * How stills move: `keyframes` (motion-zoom.ts, motion-pan.ts, captions drawn once per state) or the
 * pipeline before issue 15 (zoompan over a 2x still, captions drawn every frame), kept as the look
 * test's reference.
 */
export type PictureRenderer = 'keyframes' | 'zoompan-reference';

/** A file the arguments refer to; write it before running ffmpeg. */
export interface SideFile {
  path: string;
  text: string;
}

export interface EncodeCommand {
  args: string[];
  files: SideFile[];
}

export interface EncodeCommandInput {
  plan: RenderPlan;
  /** Absolute path of every asset the plan uses, by asset id. */
  assetPaths: Record<string, string>;
  outPath: string;
  /** Already chosen from plan.output.encoders (see selectEncoder). */
  encoder: string;
  /** Threads for the encoder and the filters (undefined = ffmpeg decides). */
  threads?: number;
  /** Folder with the caption font; defaults to the folder of the plan's font asset. */
  fontsDir?: string;
  /** Where side files go (absolute); defaults to the folder of outPath. */
  workDir?: string;
  /**
   * The burned-in captions' ASS text. Given, captions are drawn once per caption state; without it (or
   * when events animate) every frame is drawn by the subtitles filter.
   */
  captionsText?: string;
  /**
   * Where the captions draw (captionBoxArgs + parseCaptionBox): the layer is cropped to it; null when
   * they draw nothing in this span. Not given: the whole frame is blended.
   */
  captionBox?: CaptionBox | null;
  picture?: PictureRenderer;
}

/** How burned-in captions are drawn: once per state (with those states) or every frame; none if not burned in. */
export type CaptionDrawing =
  | { kind: 'once'; states: CaptionStates }
  | { kind: 'every-frame'; subtitles: string }
  | undefined;

/** What deciding how captions are drawn reads of an encode's input. */
export type CaptionDrawingInput = Pick<
  EncodeCommandInput,
  'plan' | 'assetPaths' | 'fontsDir' | 'captionsText' | 'picture'
>;

export function captionDrawing(input: CaptionDrawingInput): CaptionDrawing {
  const { plan } = input;
  if (!plan.captions?.burnIn) return undefined;
  const pathOf = (assetId: string): string => {
    const path = input.assetPaths[assetId];
    if (!path) throw new FfmpegError('invalid-request', `no file given for asset "${assetId}"`);
    return path;
  };
  const fontsDir = input.fontsDir ?? (plan.captions.font ? dirname(pathOf(plan.captions.font)) : undefined);
  const fontsOption = fontsDir ? `:fontsdir=${filterPath(fontsDir)}` : '';
  const subtitles = `subtitles=filename=${filterPath(pathOf(plan.captions.asset))}${fontsOption}`;
  const timeline =
    (input.picture ?? 'keyframes') === 'keyframes' && input.captionsText !== undefined
      ? readAssTimeline(input.captionsText)
      : undefined;
  if (timeline?.kind !== 'static') return { kind: 'every-frame', subtitles };
  const span = encodeSpan(plan);
  const { fps } = plan.output;
  // Decided on the whole video, so a segment draws its captions the way the whole encode does.
  const wholeFrames = planFrameCount(plan);
  const wholeStates = captionStates(timeline.events, fps, 0, wholeFrames).length;
  if (wholeStates > MAX_CAPTION_STATES || wholeStates * FRAMES_PER_STATE > wholeFrames) {
    return { kind: 'every-frame', subtitles };
  }
  const states = captionStates(timeline.events, fps, span.startFrame, span.frameCount);
  const output = { width: plan.output.width, height: plan.output.height };
  return {
    kind: 'once',
    states: { subtitles, states, from: span.startFrame, count: span.frameCount, output, fps },
  };
}

export function buildEncodeCommand(input: EncodeCommandInput): EncodeCommand {
  const { plan } = input;
  const { output } = plan;
  const inputArgs: string[] = [];
  let inputCount = 0;
  const addInput = (path: string, loop: boolean, input = mediaInput, maxPixels?: number): number => {
    if (loop) inputArgs.push('-stream_loop', '-1');
    if (maxPixels !== undefined) inputArgs.push('-max_pixels', String(maxPixels));
    inputArgs.push(...input(path));
    return inputCount++;
  };
  const pathOf = (assetId: string): string => {
    const path = input.assetPaths[assetId];
    if (!path) throw new FfmpegError('invalid-request', `no file given for asset "${assetId}"`);
    return path;
  };

  const span = encodeSpan(plan);
  const budget = scenesPerEncode(plan);
  if (span.parts.length > budget) {
    throw new FfmpegError(
      'invalid-request',
      `this encode holds ${span.parts.length} scenes; one encode holds at most ${budget} at ${output.width}x${output.height} (the plan must be encoded in parts)`,
    );
  }
  const scenes = span.parts.map((part) => ({ ...part, ...(plan.scenes[part.scene] as Scene) }));
  // A still used by several scenes is decoded once and split: each copy is a single frame.
  const imageUses = new Map<string, number>();
  for (const scene of scenes) {
    if (scene.visual.kind === 'image') {
      imageUses.set(scene.visual.asset, (imageUses.get(scene.visual.asset) ?? 0) + 1);
    }
  }
  const statements: string[] = [];
  const imageLabels = new Map<string, string[]>();
  for (const [assetId, uses] of imageUses) {
    const index = addInput(pathOf(assetId), false, mediaInput, encoderMaxPixels(output));
    const labels = Array.from({ length: uses }, (_, i) => `[img${index}_${i}]`);
    if (uses > 1) statements.push(`[${index}:v:0]split=${uses}${labels.join('')}`);
    else labels[0] = `[${index}:v:0]`;
    imageLabels.set(assetId, labels);
  }

  const size = { width: output.width, height: output.height };
  const { fps } = output;
  const picture = input.picture ?? 'keyframes';
  const workDir = input.workDir ?? dirname(input.outPath);
  const files: SideFile[] = [];
  const blends = transitionFrames(plan);
  const sceneLabels = scenes.map((scene, i) => {
    /*
     * The part of the scene this encode shows: `frames` frames from its `offset`-th, and its tail under
     * the next scene's transition. A move spans the scene and its tail whether or not this encode
     * shows the tail, so a segment draws the same frames as the whole video.
     */
    const part: ScenePart = {
      total: sceneFrames(scene.startMs, scene.durationMs, fps) + (blends[scene.scene + 1] ?? 0),
      offset: scene.offset,
      frames: scene.frames + (scene.tail ?? 0),
    };
    const { frames } = part;
    const label = `[s${i}]`;
    const visual = scene.visual;
    if (visual.kind === 'color') {
      statements.push(`${colorSource(visual.color, size, fps, frames, WORK_FORMAT)}${label}`);
    } else if (visual.kind === 'image') {
      const source = imageLabels.get(visual.asset)?.shift() as string;
      statements.push(
        ...stillStatements(
          { motion: visual.motion, source, label, tag: `m${i}`, size, fps, part, picture },
          files,
          workDir,
        ),
      );
    } else {
      const index = addInput(pathOf(visual.asset), visual.loop, mediaInput, encoderMaxPixels(output));
      statements.push(`[${index}:v:0]${clipChain(size, fps, frames, WORK_FORMAT, part.offset)}${label}`);
    }
    return label;
  });

  const joined = joinScenes(plan, scenes, sceneLabels, statements);
  // Scenes shorter than a frame still get one: trimming to the span keeps the length exact.
  const concat = joined.length > 1 ? `concat=n=${joined.length}:v=1:a=0,` : '';
  statements.push(`${joined.join('')}${concat}trim=end_frame=${span.frameCount}[vcat]`);
  let videoOut = '[vcat]';
  if (plan.titleCard) {
    // Under the captions: a caption at the very start stays readable over the card.
    const card = titleCardStatements({
      card: plan.titleCard,
      fontPath: pathOf(plan.titleCard.font),
      ...{ size, fps, span, workDir, files },
      video: videoOut,
      out: '[vtitle]',
    });
    if (card.length > 0) {
      statements.push(...card);
      videoOut = '[vtitle]';
    }
  }
  const captions = captionDrawing(input);
  if (captions?.kind === 'once' && input.captionBox !== null) {
    statements.push(
      ...captionOverlayStatements({
        ...captions.states,
        video: videoOut,
        out: '[vsub]',
        pixelFormat: WORK_FORMAT,
        box: input.captionBox,
      }),
    );
    videoOut = '[vsub]';
  } else if (captions?.kind === 'every-frame') {
    /*
     * Captions are drawn at each frame's time, computed in floating point from its timestamp: with
     * the same time base and the same frame index the whole video and a segment get the same time to
     * the millisecond. A later segment's frames are stamped with their index in the whole video.
     */
    const shifted = span.startFrame > 0;
    const into = `settb=1/${fps},${shifted ? `setpts=PTS+${span.startFrame},` : ''}`;
    const back = shifted ? ',setpts=PTS-STARTPTS' : '';
    statements.push(`${videoOut}${into}${captions.subtitles}${back}[vsub]`);
    videoOut = '[vsub]';
  }
  // One conversion to the format the encoder takes: VideoToolbox's own is nv12 (no copy-convert inside it).
  const pixelFormat = outputPixelFormat(input.encoder, output);
  statements.push(`${videoOut}format=${pixelFormat}[vout]`);
  videoOut = '[vout]';

  const common = [
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'],
  ];
  // Filters thread on their own; an encode limited to N threads limits them too.
  const threads = input.threads
    ? ['-threads', String(input.threads), '-filter_complex_threads', String(input.threads)]
    : [];
  const video = [
    ...videoEncoderArgs(input.encoder, output),
    ...['-pix_fmt', pixelFormat, '-r', String(fps), '-g', String(Math.max(1, fps * 2))],
  ];
  if (plan.segment) {
    const args = [
      ...common,
      ...inputArgs,
      ...['-filter_complex', statements.join(';\n')],
      ...['-map', videoOut, '-an'],
      ...video,
      ...threads,
      ...['-f', 'mp4', input.outPath],
    ];
    return { args, files };
  }

  const audioInputs = audioInputSpecs(plan).map((spec) => addInput(pathOf(spec.asset), spec.loop));
  statements.push(...audioGraph(plan, audioInputs));
  // Captions not burned in travel as a track players can switch on.
  const softCaptions =
    plan.captions && !plan.captions.burnIn
      ? addInput(pathOf(plan.captions.asset), false, captionsInput)
      : undefined;

  const args = [
    ...common,
    ...inputArgs,
    ...['-filter_complex', statements.join(';\n')],
    ...['-map', videoOut, '-map', '[aout]'],
    ...(softCaptions !== undefined ? captionTrackArgs(softCaptions) : []),
    ...video,
    ...audioEncoderArgs(output),
    ...threads,
    ...['-t', (plan.durationMs / 1000).toFixed(3)],
    ...['-movflags', '+faststart', '-f', 'mp4', input.outPath],
  ];
  return { args, files };
}

/** ffmpeg's xfade transition for each kind: a crossfade blends the pictures, a fade dips to black. */
const XFADE_TRANSITION = { crossfade: 'fade', fade: 'fadeblack' } as const;

/**
 * The format scenes are joined in when a plan has transitions: ffmpeg's xfade takes no subsampled
 * chroma, so it would convert its inputs to this anyway. Every frame of such a plan goes through it,
 * blended or not, so a segment that holds no transition converts the same way the whole video does
 * and their frames stay identical (measured: passing only some frames through xfade changed the others).
 */
const JOIN_FORMAT = 'yuv444p';

/**
 * Scenes blended into the one before with xfade (its offset is where the scene starts, counted from the
 * first scene it is chained to; the scene before was rendered `tail` frames longer, so the length stays
 * the scenes' own), in groups joined by cuts: the labels to concatenate, in order, in the work format.
 */
function joinScenes(plan: RenderPlan, parts: SpanPart[], labels: string[], statements: string[]): string[] {
  if (!plan.transition) return labels;
  const { fps } = plan.output;
  const seconds = (frames: number) => (frames / fps).toFixed(6);
  const transition = XFADE_TRANSITION[plan.transition.kind];
  const groups: string[] = [];
  let groupFrames = 0;
  parts.forEach((part, i) => {
    // On the output's time base, so xfade's offset and duration fall on whole frames.
    const label = `[j${i}]`;
    statements.push(`${labels[i]}format=${JOIN_FORMAT},settb=1/${fps}${label}`);
    if (!part.blendIn || groups.length === 0) {
      groups.push(label);
      groupFrames = part.frames;
      return;
    }
    const out = `[x${i}]`;
    statements.push(
      `${groups.pop()}${label}xfade=transition=${transition}:duration=${seconds(part.blendIn)}:` +
        `offset=${seconds(groupFrames)}${out}`,
    );
    groups.push(out);
    groupFrames += part.frames;
  });
  // Back to the work format for the captions: one label each, concatenated by the caller.
  return groups.map((group, g) => {
    statements.push(`${group}format=${WORK_FORMAT}[g${g}]`);
    return `[g${g}]`;
  });
}

/** The pixel format handed to the encoder: VideoToolbox takes nv12 natively, others the plan's. */
export function outputPixelFormat(encoder: string, output: RenderOutput): string {
  return encoder.endsWith('_videotoolbox') ? 'nv12' : output.pixelFormat;
}

interface StillScene {
  motion: Motion;
  source: string;
  label: string;
  /** Unique in the graph: names this scene's filters and labels. */
  tag: string;
  size: Size;
  fps: number;
  part: ScenePart;
  picture: PictureRenderer;
}

/** The statements drawing one still scene; a zoom adds its keyframe commands to `files`. */
function stillStatements(scene: StillScene, files: SideFile[], workDir: string): string[] {
  const { motion, source, label, tag, size, fps, part } = scene;
  if (scene.picture === 'zoompan-reference') {
    return [`${source}${zoompanReferenceChain(motion, size, fps, part.frames, WORK_FORMAT, part)}${label}`];
  }
  if (isZoom(motion)) {
    const plan = planZoom(motion, size, part);
    const path = join(workDir, `${tag}-keyframes.cmd`);
    files.push({ path, text: zoomCommands(plan, size, fps, tag) });
    return [`${source}${zoomChain(plan, size, fps, part.frames, WORK_FORMAT, tag, path)}${label}`];
  }
  if (isPan(motion)) {
    return panStatements(planPan(motion, size, part), source, label, tag, size, fps, part, WORK_FORMAT);
  }
  return [`${source}${stillFrameChain(size, fps, part.frames, WORK_FORMAT)}${label}`];
}

/** Maps input `input`'s captions as an MP4 text track (mov_text: what QuickTime and browsers read). */
export function captionTrackArgs(input: number): string[] {
  return ['-map', `${input}:s:0`, '-c:s', 'mov_text'];
}

/**
 * From this bitrate up, ffmpeg's AAC encoder uses its `fast` coder: its authors found it sounds better
 * than `twoloop` there and costs far less (a 2018 commit made it the default for that reason; ffmpeg 5.1
 * still defaults to twoloop): 63 s of narration at 160k, 1.7 → 1.0 CPU-s here, loudness and true peak
 * within 0.1 dB. (Peaks over 0 dBFS come out of the two coders differently, ~0.7 LU apart: the plan's
 * limiter keeps them from the encoder.) `twoloop` stays below, where its authors found it the better.
 */
const FAST_AAC_FROM_KBPS = 128;

export function audioEncoderArgs(output: RenderOutput): string[] {
  const kbps = Number.parseInt(output.audioBitrate, 10);
  return [
    ...['-c:a', 'aac', ...(kbps >= FAST_AAC_FROM_KBPS ? ['-aac_coder', 'fast'] : [])],
    ...['-b:a', output.audioBitrate, '-ar', String(output.audioSampleRate), '-ac', '2'],
  ];
}

/** Quality settings differ per encoder family: hardware encoders reject crf and want a bitrate. */
export function videoEncoderArgs(encoder: string, output: RenderOutput): string[] {
  const args = ['-c:v', encoder];
  const isSoftwareX26x = encoder === 'libx264' || encoder === 'libx265';
  if (isSoftwareX26x) {
    if (output.speedPreset) args.push('-preset', output.speedPreset);
    if (output.crf !== undefined) args.push('-crf', String(output.crf));
    else args.push('-b:v', output.bitrate);
  } else {
    // No `-allow_sw 1` for VideoToolbox: with it, a Mac without the hardware (HEVC on an older Intel
    // Mac, a VM) or with every session taken encodes in Apple's software encoder, slowly, and passes
    // the trial; without it that encode fails, and the plan's next encoder (libx264) takes over.
    args.push('-b:v', output.bitrate);
  }
  args.push(...VIDEO_COLOR_TAGS);
  // QuickTime and iOS only play HEVC in MP4 when tagged hvc1 (ffmpeg defaults to hev1).
  if (/hevc|265/.test(encoder)) args.push('-tag:v', 'hvc1');
  return args;
}

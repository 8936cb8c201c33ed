/**
 * A zoom over a still, drawn as keyframes blended in time.
 *
 * Why not zoompan: it crops its window at whole pixels (even ones, for 4:2:0 chroma), so a slow zoom
 * creeps in visible steps; the old cure (a 2x supersampled still) costs a 4K downscale per frame and still
 * steps by a whole output pixel, because the crop offset stays even. Here a keyframe is drawn every few
 * frames by swscale from a still prescaled once to 1.16x the frame, and each frame between two keyframes
 * is their linear blend (the framerate filter): every point of the picture then travels on a straight
 * line at a steady speed, smooth to a fraction of a pixel, for one resample per keyframe and a cheap blend
 * (SIMD, slice-threaded) per frame. Keyframes are close enough that the two blended pictures are at most
 * 1.5 px apart, in the corners (GHOST_PX); at the centre they coincide.
 *
 * A keyframe must show its frame's exact zoom. swscale maps a whole-pixel crop of `src` pixels onto `dst`
 * pixels, so the zooms it can draw are the fractions src/dst; cropping both the still and the scaled
 * result about their centres keeps the centre exact. Searching both sizes (dst up to 4 * SPAN pixels wider
 * than the frame, then cropped back) finds a fraction within about 1e-4 of any zoom in the range the
 * prescale leaves (the still is 1.036x to 1.16x the window: away from 1, where those fractions are
 * sparse), so a keyframe's corners sit within ~0.1 px of where they belong.
 *
 * The sizes change at every keyframe: a sendcmd file (one line per keyframe) resizes both crops and the
 * scaler. Keyframes sit on a grid fixed by the scene (every `keyStep` frames from its first frame), so a
 * segment cut inside a scene draws exactly the frames the whole video has there.
 */
import { filterPath } from './filter-escape.ts';
import {
  even,
  MOTION_ZOOM_EXTRA,
  moveProgress,
  type ScenePart,
  type Size,
  zoomAt,
} from './motion-geometry.ts';
import { VIDEO_COLORS } from './video-colors.ts';

/** The still is prescaled once to this much of the frame: the largest window any zoom shows, and then some. */
const PRESCALE = 1.16;
/** Output sizes the fit may try: the frame plus up to SPAN steps of STEP pixels (cropped back after). */
const SPAN = 24;
/** Sizes move in steps of 4 so both centred crops start on even pixels (4:2:0 chroma). */
const STEP = 4;
/**
 * Largest distance (pixels, in the corners) between the two keyframes a frame is blended from. Sparser
 * keyframes cost less and spread a keyframe's error over more frames (the look test measured 1, 1.5 and
 * 2 px alike); 1.5 px at the very corners is below what the eye separates at video rates.
 */
const GHOST_PX = 1.5;
/** A keyframe at least once a second, however slow the zoom. */
const MAX_KEY_STEP = 30;

export interface LatticeFit {
  /** Pixels of the (padded) still cropped about its centre. */
  src: number;
  /** Pixels swscale scales them to, before cropping back to the frame about the centre. */
  dst: number;
  /** |src/dst - wanted|: relative error of the zoom drawn. */
  error: number;
}

/**
 * The crop and scale sizes along one axis whose ratio src/dst is closest to `sigma` (still pixels per
 * output pixel), with both crops centred on even pixels.
 */
export function latticeFit(padded: number, out: number, sigma: number): LatticeFit {
  let best: LatticeFit = { src: padded, dst: out, error: Number.POSITIVE_INFINITY };
  for (let j = 0; j <= SPAN; j++) {
    const dst = out + STEP * j;
    const k = Math.round((padded - sigma * dst) / STEP);
    for (const steps of [k - 1, k, k + 1]) {
      const src = padded - STEP * steps;
      if (src <= 0 || src > padded) continue;
      const error = Math.abs(src / dst - sigma);
      if (error < best.error) best = { src, dst, error };
    }
  }
  return best;
}

export interface ZoomKeyframe {
  src: Size;
  dst: Size;
}

export interface ZoomPlan {
  /** The still, scaled once to cover this size. */
  still: Size;
  /** Columns/rows of smeared edge around it, so windows wider than the still can be cropped. */
  pad: number;
  /** Frames from one keyframe to the next. */
  keyStep: number;
  /** Scene frame of the first keyframe, divided by keyStep. */
  firstKey: number;
  keyframes: ZoomKeyframe[];
  /** Blended frames before the part's first frame (from the first keyframe on). */
  trimStart: number;
}

/** Frames between keyframes: the zoom moves the corners by at most GHOST_PX from one keyframe to the next. */
export function zoomKeyStep(output: Size, total: number): number {
  const cornerSpeed =
    ((Math.hypot(output.width, output.height) / 2) * MOTION_ZOOM_EXTRA) / Math.max(1, total - 1);
  return Math.min(MAX_KEY_STEP, Math.max(1, Math.floor(GHOST_PX / cornerSpeed)));
}

export function planZoom(motion: 'zoom-in' | 'zoom-out', output: Size, part: ScenePart): ZoomPlan {
  const still = { width: even(PRESCALE * output.width), height: even(PRESCALE * output.height) };
  const pad = STEP * SPAN;
  const padded = { width: still.width + 2 * pad, height: still.height + 2 * pad };
  const keyStep = zoomKeyStep(output, part.total);
  const firstKey = Math.floor(part.offset / keyStep);
  // Strictly past the part's last frame, so every frame of it lies between two keyframes.
  const lastKey = Math.floor((part.offset + part.frames - 1) / keyStep) + 1;
  const keyframes: ZoomKeyframe[] = [];
  for (let key = firstKey; key <= lastKey; key++) {
    // Past the scene's end the move goes on at the same speed: the last frames blend towards it.
    const zoom = zoomAt(motion, moveProgress(key * keyStep, part.total));
    const x = latticeFit(padded.width, output.width, still.width / (output.width * zoom));
    const y = latticeFit(padded.height, output.height, still.height / (output.height * zoom));
    keyframes.push({ src: { width: x.src, height: y.src }, dst: { width: x.dst, height: y.dst } });
  }
  return { still, pad, keyStep, firstKey, keyframes, trimStart: part.offset - firstKey * keyStep };
}

/** Names of the three resized filters of one zoom, unique in the graph. */
function names(tag: string) {
  return { crop: `crop@${tag}a`, scale: `scale@${tag}b`, back: `crop@${tag}c` };
}

/** The sendcmd file: keyframe i passes at time i/fps and resizes the crops and the scaler just before. */
export function zoomCommands(plan: ZoomPlan, output: Size, fps: number, tag: string): string {
  const n = names(tag);
  const time = (t: number) => Math.max(0, t).toFixed(6);
  return plan.keyframes
    .map((key, i) => {
      const commands = [
        `${n.crop} w ${key.src.width}`,
        `${n.crop} h ${key.src.height}`,
        `${n.scale} w ${key.dst.width}`,
        `${n.scale} h ${key.dst.height}`,
        `${n.back} x ${(key.dst.width - output.width) / 2}`,
        `${n.back} y ${(key.dst.height - output.height) / 2}`,
      ];
      return `${time((i - 0.5) / fps)}-${time((i + 0.5) / fps)} [enter] ${commands.join(', ')};\n`;
    })
    .join('');
}

/** The filter chain for one zoom: still in, the part's frames out at the output size and rate. */
export function zoomChain(
  plan: ZoomPlan,
  output: Size,
  fps: number,
  frames: number,
  pixelFormat: string,
  tag: string,
  commandsPath: string,
): string {
  const { still, pad, keyStep } = plan;
  const padded = { width: still.width + 2 * pad, height: still.height + 2 * pad };
  const n = names(tag);
  const { width: w, height: h } = output;
  return [
    `scale=${still.width}:${still.height}:force_original_aspect_ratio=increase:${VIDEO_COLORS}`,
    `crop=${still.width}:${still.height}`,
    'setsar=1',
    `format=${pixelFormat}`,
    `pad=${padded.width}:${padded.height}:${pad}:${pad}`,
    `fillborders=left=${pad}:right=${pad}:top=${pad}:bottom=${pad}:mode=smear`,
    `loop=loop=${plan.keyframes.length - 1}:size=1`,
    `settb=1/${fps}`,
    'setpts=N',
    `sendcmd=f=${filterPath(commandsPath)}`,
    // The first keyframe's commands resize these before any frame reaches them.
    `${n.crop}=${padded.width}:${padded.height}`,
    // One thread: the scaler is rebuilt at every keyframe, and a thread pool per rebuild costs more than it saves.
    `${n.scale}=${w}:${h}:flags=bilinear:threads=1`,
    `${n.back}=${w}:${h}`,
    'setsar=1',
    `setpts=(N+${plan.firstKey})*${keyStep}`,
    // Always blend (no scene-change detection, no snapping to the nearer keyframe).
    `framerate=fps=${fps}:interp_start=0:interp_end=255:scene=100:flags=0`,
    `trim=start_frame=${plan.trimStart}:end_frame=${plan.trimStart + frames}`,
    'setpts=PTS-STARTPTS',
  ].join(',');
}

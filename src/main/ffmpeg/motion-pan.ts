/**
 * A pan over a still: a window the size of the frame sliding across the still at a steady speed.
 *
 * A pan is a pure translation, so no frame needs resampling: the still is prepared once in PHASES copies,
 * each shifted by a further 2/PHASES of a pixel (made by one high-quality resample each: oversampled
 * PHASES times across, cropped at a whole oversampled pixel, scaled back). Keyframes are then whole-pixel
 * crops of those copies (no pixel work at all: a crop only moves the picture's data pointers), one for
 * every 2/PHASES pixel of travel, stamped with the time the window is exactly there; the frames are blends
 * of the two keyframes around them (framerate), which moves the picture at exactly the pan's speed. The
 * crops step by 2 pixels because 4:2:0 chroma needs even offsets; the copies supply the pixels between.
 *
 * Keyframes start at the scene's first frame, so a segment cut inside the scene blends the same frames.
 */
import { even, MOTION_ZOOM_EXTRA, type ScenePart, type Size } from './motion-geometry.ts';
import { VIDEO_COLORS } from './video-colors.ts';

/** Copies of the still, each shifted 2/PHASES px further: keyframes every half pixel of travel. */
const PHASES = 4;
/** Smeared columns on both sides, so keyframes just past either end of the move can be cropped. */
const MARGIN = 8;
/** Keyframe times are stamped to 1/TIME_UNITS of a frame. */
const TIME_UNITS = 1000;

export interface PanPlan {
  /** The still covers this size: the window (the frame) fits 1.12x across and down. */
  still: Size;
  /** Pixels of still the window moves per frame (signed: negative moves left). */
  speed: number;
  /** Left edge of the window at the scene's first frame. */
  start: number;
  /** Keyframes 0..lastKey, every 2/PHASES px of travel from the start. */
  lastKey: number;
}

export function planPan(motion: 'pan-left' | 'pan-right', output: Size, part: ScenePart): PanPlan {
  const still = {
    width: even((1 + MOTION_ZOOM_EXTRA) * output.width),
    // An even margin above and below keeps the window's top on an even row (4:2:0 chroma).
    height: output.height + 4 * Math.round((MOTION_ZOOM_EXTRA * output.height) / 4),
  };
  const travel = still.width - output.width;
  const direction = motion === 'pan-right' ? 1 : -1;
  const speed = (direction * travel) / Math.max(1, part.total - 1);
  const step = 2 / PHASES;
  // Strictly past the part's last frame, so every frame lies between two keyframes.
  const lastKey = Math.floor(((part.offset + part.frames - 1) * Math.abs(speed)) / step) + 1;
  return { still, speed, start: direction > 0 ? 0 : travel, lastKey };
}

/**
 * The statements of one pan: `input` (the still) in, `label` out with the part's frames. `tag` keeps the
 * intermediate labels unique in the graph.
 */
export function panStatements(
  plan: PanPlan,
  input: string,
  label: string,
  tag: string,
  output: Size,
  fps: number,
  part: ScenePart,
  pixelFormat: string,
): string[] {
  const { still, speed } = plan;
  const { width: w, height: h } = output;
  const step = 2 / PHASES;
  // A copy is the still plus its margins, less the two columns a phase shift can push past the edge.
  const copyWidth = still.width + 2 * MARGIN - 2;
  const branches = Math.min(PHASES, plan.lastKey + 1);
  const statements = [
    `${input}crop=w='min(iw,ih*${still.width}/${still.height})':h='min(ih,iw*${still.height}/${still.width})',` +
      `scale=${PHASES * still.width}:${still.height}:flags=bicubic:${VIDEO_COLORS},setsar=1,format=${pixelFormat},` +
      `pad=${PHASES * (still.width + 2 * MARGIN)}:${still.height}:${PHASES * MARGIN}:0,` +
      `fillborders=left=${PHASES * MARGIN}:right=${PHASES * MARGIN}:mode=smear,` +
      `split=${branches}${Array.from({ length: branches }, (_, r) => `[${tag}o${r}]`).join('')}`,
  ];
  const keys: string[] = [];
  const sign = Math.sign(speed) || 1;
  for (let r = 0; r < branches; r++) {
    // Branch r: keyframes r, r + PHASES, r + 2 PHASES... all at the same sub-pixel phase, 2 px apart.
    const count = Math.floor((plan.lastKey - r) / PHASES) + 1;
    const left = plan.start + sign * r * step + MARGIN;
    const phase = ((left % 2) + 2) % 2;
    let shift = 2 * Math.round((PHASES * phase) / 2);
    let base = Math.round((left - shift / PHASES) / 2);
    if (shift >= 2 * PHASES) {
      shift -= 2 * PHASES;
      base += 1;
    }
    const framesPerKey = (step / Math.abs(speed || 1)) * TIME_UNITS;
    statements.push(
      `[${tag}o${r}]crop=${PHASES * copyWidth}:${still.height}:${shift}:0,` +
        `scale=${copyWidth}:${still.height}:flags=bicubic,` +
        `loop=loop=${count - 1}:size=1,settb=1/${fps * TIME_UNITS},` +
        `setpts='round((${r}+${PHASES}*N)*${framesPerKey.toPrecision(12)})',` +
        `crop=${w}:${h}:x='2*(${base}+${sign}*n)':y=${(still.height - h) / 2}[${tag}k${r}]`,
    );
    keys.push(`[${tag}k${r}]`);
  }
  const merge = branches > 1 ? `interleave=nb_inputs=${branches},` : '';
  statements.push(
    `${keys.join('')}${merge}framerate=fps=${fps}:interp_start=0:interp_end=255:scene=100:flags=0,` +
      `trim=start_frame=${part.offset}:end_frame=${part.offset + part.frames},setpts=PTS-STARTPTS,setsar=1${label}`,
  );
  return statements;
}

/**
 * Filtergraph building blocks shared by the scene chains. The moving stills live in motion-zoom.ts and
 * motion-pan.ts; the zoompan chain below is the pipeline they replaced, kept as the look test's reference.
 */
import type { Motion } from '../../shared/render-plan.ts';
import { MOTION_ZOOM_EXTRA, type Size } from './motion-geometry.ts';
import { VIDEO_COLORS } from './video-colors.ts';

export { escapeGraphText, escapeOptionValue, filterPath } from './filter-escape.ts';
export type { Size } from './motion-geometry.ts';

/**
 * Scale to cover the box (keeping aspect) and crop the overflow: no letterbox bars. `colors`: the
 * conversion the scaler does on the way (VIDEO_COLORS for a still of the video; none for the JPEG
 * thumbnail or a clip).
 */
export function coverChain(size: Size, colors?: string): string {
  const { width: w, height: h } = size;
  const convert = colors ? `:${colors}` : '';
  return `scale=${w}:${h}:force_original_aspect_ratio=increase${convert},crop=${w}:${h},setsar=1`;
}

/**
 * Prescale factor of the reference pipeline. zoompan crops at whole pixels of its input (even ones for
 * 4:2:0), so at 1x a slow move creeps in visible steps; a 2x input halves them. Capped so 4K outputs do
 * not build 8K intermediates. (Measured for issue 15: the crop offset still moves by whole output pixels.)
 */
export function motionSupersample(output: Size): number {
  return Math.max(output.width, output.height) * 2 <= 4096 ? 2 : 1;
}

/** A still shown for `frames` frames without motion: scaled once, then the one frame repeated. */
export function stillFrameChain(output: Size, fps: number, frames: number, pixelFormat: string): string {
  // Convert the pixel format on the single still, not on every output frame.
  return (
    `${coverChain(output, VIDEO_COLORS)},format=${pixelFormat},loop=loop=-1:size=1,settb=1/${fps},setpts=N,` +
    `trim=end_frame=${frames}`
  );
}

/**
 * The picture pipeline before issue 15, kept as the reference the look test compares against: a zoompan
 * window over the still prescaled 2x (3840x2160 for 1080p), one bicubic downscale per frame.
 */
export function zoompanReferenceChain(
  motion: Motion,
  output: Size,
  fps: number,
  frames: number,
  pixelFormat: string,
  /** A part of a longer scene: its length and where this part starts (a segment cut inside it). */
  part: { total: number; offset: number } = { total: frames, offset: 0 },
): string {
  if (motion === 'none') return stillFrameChain(output, fps, frames, pixelFormat);
  const k = motionSupersample(output);
  const big = `${coverChain({ width: output.width * k, height: output.height * k }, VIDEO_COLORS)},format=${pixelFormat}`;
  // Where the move is, from 0 to 1 over the whole scene: a part starting later starts its move there.
  const p =
    part.offset > 0
      ? `(on+${part.offset})/${Math.max(1, part.total - 1)}`
      : `on/${Math.max(1, part.total - 1)}`;
  const extra = MOTION_ZOOM_EXTRA;
  const z = `(1+${extra})`;
  const center = { x: 'iw/2-iw/zoom/2', y: 'ih/2-ih/zoom/2' };
  const move: Record<Exclude<Motion, 'none'>, { z: string; x: string; y: string }> = {
    'zoom-in': { z: `1+${extra}*${p}`, ...center },
    'zoom-out': { z: `${z}-${extra}*${p}`, ...center },
    // Pan: a fixed zoomed-in window slides across; pan-left moves the view towards the left edge.
    'pan-left': { z, x: `(iw-iw/zoom)*(1-${p})`, y: center.y },
    'pan-right': { z, x: `(iw-iw/zoom)*${p}`, y: center.y },
  };
  const m = move[motion];
  const zoompan =
    `zoompan=z='${m.z}':x='${m.x}':y='${m.y}':d=${frames}` + `:s=${output.width}x${output.height}:fps=${fps}`;
  return `${big},${zoompan},setsar=1,trim=end_frame=${frames},setpts=PTS-STARTPTS`;
}

/**
 * A solid colour for `frames` frames: one frame drawn in RGB and converted to the video's colours
 * (the color source's own YUV is BT.601), then repeated.
 */
export function colorSource(
  color: string,
  output: Size,
  fps: number,
  frames: number,
  pixelFormat: string,
): string {
  const hex = color.replace('#', '0x');
  const size = `${output.width}x${output.height}`;
  return (
    `color=c=${hex}:s=${size}:r=${fps},format=rgb24,trim=end_frame=1,scale=${VIDEO_COLORS},` +
    `format=${pixelFormat},loop=loop=-1:size=1,settb=1/${fps},setpts=N,setsar=1,trim=end_frame=${frames}`
  );
}

/**
 * A video clip: resampled to the output frame rate, trimmed, and (if it is shorter than the scene
 * and not looped) held on its last frame. Trimming happens before scaling so no frame past the
 * scene is scaled.
 */
export function clipChain(
  output: Size,
  fps: number,
  frames: number,
  pixelFormat: string,
  /** Frames of the scene before this part (a segment cut inside it): decoded, not shown. */
  offset = 0,
): string {
  const trim =
    offset > 0 ? `trim=start_frame=${offset}:end_frame=${offset + frames}` : `trim=end_frame=${frames}`;
  return (
    `setpts=PTS-STARTPTS,fps=${fps},tpad=stop=-1:stop_mode=clone,${trim},` +
    // A clip's YUV passes as it is (see video-colors.ts).
    `setpts=PTS-STARTPTS,${coverChain(output)},format=${pixelFormat}`
  );
}

/** dB → linear gain factor. */
export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

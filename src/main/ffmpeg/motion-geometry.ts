/**
 * The Ken Burns moves, as geometry: where the window over a still is at each frame of its scene. Both
 * picture pipelines (the keyframed one and the zoompan reference it replaced) draw these same moves.
 */
import type { Motion } from '../../shared/render-plan.ts';

export interface Size {
  width: number;
  height: number;
}

/** How far (12%) motion zooms in: gentle enough to read as a slow drift, not a zoom. */
export const MOTION_ZOOM_EXTRA = 0.12;

/** The frames of a scene one encode renders: `frames` of its `total`, from its `offset`-th on. */
export interface ScenePart {
  total: number;
  offset: number;
  frames: number;
}

/** Where the move is at scene frame `n`: 0 at the first frame, 1 at the last (beyond for extrapolation). */
export function moveProgress(n: number, total: number): number {
  return n / Math.max(1, total - 1);
}

/** The zoom factor of a zoom move at progress `p` (1 = the still just covers the frame). */
export function zoomAt(motion: 'zoom-in' | 'zoom-out', p: number): number {
  return motion === 'zoom-in' ? 1 + MOTION_ZOOM_EXTRA * p : 1 + MOTION_ZOOM_EXTRA - MOTION_ZOOM_EXTRA * p;
}

/** Even, as 4:2:0 chroma needs for sizes and crop offsets. */
export function even(value: number): number {
  return Math.round(value / 2) * 2;
}

export function isZoom(motion: Motion): motion is 'zoom-in' | 'zoom-out' {
  return motion === 'zoom-in' || motion === 'zoom-out';
}

export function isPan(motion: Motion): motion is 'pan-left' | 'pan-right' {
  return motion === 'pan-left' || motion === 'pan-right';
}

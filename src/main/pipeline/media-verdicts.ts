/**
 * What a script's media must hold, judged the same way twice: before any job exists, from a probe of
 * each file (intake/media-content.ts), and when the plan step copies them in (plan-media.ts,
 * plan-step.ts, plan-music.ts). Each gives the message the script's author sees at the medium's place.
 */
import type { ClipFacts, Size } from '../ffmpeg/index.ts';
import { shorten } from '../script/index.ts';
import type { ClipRef } from '../script/types.ts';

/** The longest side a still or clip may have: the encoder decodes each frame whole before it scales it. */
export const MAX_PICTURE_SIDE = 16_384;

/** Why a still cannot be used (`size`: null when ffmpeg cannot read it as a picture); null when it can. */
export function pictureProblem(written: string, size: Size | null): string | null {
  const named = `image "${shorten(written)}"`;
  if (!size) return `${named} cannot be read as a picture`;
  if (Math.max(size.width, size.height) > MAX_PICTURE_SIDE)
    return `${named} is ${size.width}x${size.height} pixels; the limit is ${MAX_PICTURE_SIDE} on a side`;
  return null;
}

/** What a file ffmpeg cannot read at all holds, as a clip: nothing. */
export const UNREADABLE_CLIP: ClipFacts = { hasVideo: false, width: 0, height: 0, durationMs: null };

/** Why a clip's file cannot be used, whatever part of it a scene shows; null when it can. */
export function clipFileProblem(written: string, facts: ClipFacts): string | null {
  if (!facts.hasVideo) return `clip "${written}" has no video`;
  // Every frame is decoded whole before it is scaled: the limit a still has (a 20000x200 picture was
  // refused, the same as a clip was encoded).
  if (Math.max(facts.width, facts.height) > MAX_PICTURE_SIDE)
    return `clip "${written}" is ${facts.width}x${facts.height} pixels; the limit is ${MAX_PICTURE_SIDE} on a side`;
  return null;
}

/** Why the range a scene names lies past the clip's end; null when it does not, or no length is known. */
export function clipRangeProblem(clip: Pick<ClipRef, 'written' | 'range'>, facts: ClipFacts): string | null {
  if (!clip.range || facts.durationMs === null || clip.range.endMs <= facts.durationMs + 1) return null;
  return `clip "${clip.written}" lasts ${seconds(facts.durationMs)}; its range ends at ${seconds(clip.range.endMs)}`;
}

/** Music that holds no sound ffmpeg can read. */
export function musicProblem(written: string): string {
  return `music "${written}" cannot be read as audio`;
}

/** Music of channels the mix cannot make stereo of (no layout says which is which). */
export function unmixableMusicProblem(written: string, channels: number | null): string {
  return `music "${written}" has ${channels ?? 'many'} channels the mix cannot make stereo of (its file says no layout for them)`;
}

export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * Frame arithmetic of a RenderPlan, shared by the encoder (which frames a command renders), the split
 * planner (where a plan may be cut) and the checks (how many frames a video must have). A scene's
 * length comes from its rounded start and end on the output frame grid (no drift); scenes are laid
 * one after the other (a scene shorter than a frame still gets one) and the video is trimmed to its
 * own length. A segment is a range of those frames (cut anywhere: inside a scene it starts that scene's
 * motion part-way), so it renders exactly the frames the whole video has at that place.
 */
import { frameAt, videoFrameCount } from './frame-grid.ts';
import { audioAssetIds, type RenderPlan } from './render-plan.ts';

export { frameAt };

/**
 * Frames in [startMs, startMs + durationMs): computed from rounded boundaries so the scenes always
 * add up to exactly the frames of the whole video, with no drift over many scenes. A scene shorter
 * than a frame still shows for one frame (the video is trimmed to its length at the end).
 */
export function sceneFrames(startMs: number, durationMs: number, fps: number): number {
  return Math.max(1, frameAt(startMs + durationMs, fps) - frameAt(startMs, fps));
}

/** Frames of the finished video: its duration on the frame grid. */
export function planFrameCount(plan: RenderPlan): number {
  return videoFrameCount(plan.durationMs, plan.output.fps);
}

/** Where each scene starts in the rendered frame sequence, plus the end of the last one (n + 1 entries). */
export function sceneFrameStarts(plan: RenderPlan): number[] {
  const starts = [0];
  let at = 0;
  for (const scene of plan.scenes) {
    at += sceneFrames(scene.startMs, scene.durationMs, plan.output.fps);
    starts.push(at);
  }
  return starts;
}

/** The frames of one scene an encode renders: `frames` of them from its `offset`-th on. */
export interface ScenePart {
  scene: number;
  offset: number;
  frames: number;
}

/** Which part of a plan one encode renders: frames [startFrame, startFrame + frameCount) of the video. */
export interface FrameSpan {
  startFrame: number;
  frameCount: number;
  /** The scenes those frames show, in order (the first and last may be cut). */
  parts: ScenePart[];
}

/** The span a plan asks for: all of it, or its segment's frames (clipped to the video's length). */
export function encodeSpan(plan: RenderPlan): FrameSpan {
  const total = planFrameCount(plan);
  const startFrame = Math.min(plan.segment?.startFrame ?? 0, total);
  const endFrame = Math.min(plan.segment ? startFrame + plan.segment.frameCount : total, total);
  const starts = sceneFrameStarts(plan);
  const parts: ScenePart[] = [];
  for (let scene = 0; scene < plan.scenes.length; scene++) {
    const from = Math.max(starts[scene] as number, startFrame);
    const to = Math.min(starts[scene + 1] as number, endFrame);
    if (to > from) parts.push({ scene, offset: from - (starts[scene] as number), frames: to - from });
  }
  return { startFrame, frameCount: endFrame - startFrame, parts };
}

/** Frame indexes where a scene starts (after the first), within the video: where a cut costs nothing. */
export function sceneBoundaries(plan: RenderPlan): number[] {
  const total = planFrameCount(plan);
  return sceneFrameStarts(plan).filter((f) => f > 0 && f < total);
}

/** Milliseconds of `frames` frames. */
export function framesToMs(frames: number, fps: number): number {
  return (frames * 1000) / fps;
}

/** Asset ids an encode of this plan (or of its segment) reads. A segment needs no audio, no soft captions. */
export function assetsUsedBy(plan: RenderPlan): Set<string> {
  const ids = new Set<string>();
  if (!plan.segment) {
    for (const id of audioAssetIds(plan)) ids.add(id);
  }
  if (plan.captions?.burnIn) {
    ids.add(plan.captions.asset);
    if (plan.captions.font) ids.add(plan.captions.font);
  } else if (plan.captions && !plan.segment) {
    // Soft captions are a track of the whole video: muxed by a whole encode or the join.
    ids.add(plan.captions.asset);
  }
  const span = encodeSpan(plan);
  for (const { scene } of span.parts) {
    const visual = plan.scenes[scene]?.visual;
    if (visual && visual.kind !== 'color') ids.add(visual.asset);
  }
  // The title card's font, for an encode that draws some of the card's frames.
  if (plan.titleCard && span.startFrame < Math.max(1, frameAt(plan.titleCard.durationMs, plan.output.fps)))
    ids.add(plan.titleCard.font);
  return ids;
}

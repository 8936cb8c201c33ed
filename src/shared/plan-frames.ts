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
  /** Frames rendered past the scene's end, blended under the next scene's transition (absent: none). */
  tail?: number;
  /** Frames at this part's start that blend in from the scene before (absent: it starts with a cut). */
  blendIn?: number;
}

/**
 * Frames the transition into each scene takes (0 for the first scene, and where the plan cuts). With
 * this design the transition into scene i occupies scene i's first D frames while scene i-1 goes on
 * for D more frames under it, so narration, captions and music keep their times and the frame count
 * is unchanged. A transition longer than half of either scene is shortened at that boundary (a short
 * scene would otherwise be all transition, or two transitions would overlap); shorter than two frames
 * it is a cut, since the first frame of a blend still shows the scene before whole.
 */
export function transitionFrames(plan: RenderPlan): number[] {
  const starts = sceneFrameStarts(plan);
  const total = planFrameCount(plan);
  const wanted = plan.transition ? frameAt(plan.transition.durationMs, plan.output.fps) : 0;
  return plan.scenes.map((_, i) => {
    if (i === 0 || wanted === 0) return 0;
    const start = starts[i] as number;
    const before = start - (starts[i - 1] as number);
    const own = (starts[i + 1] as number) - start;
    const frames = Math.min(wanted, Math.floor(before / 2), Math.floor(own / 2), total - start);
    return frames >= 2 ? frames : 0;
  });
}

/** Frames [start, end) of the video that show a transition: no encode may start inside one. */
export interface TransitionWindow {
  start: number;
  end: number;
}

/** The plan's transition windows, in order. */
export function transitionWindows(plan: RenderPlan): TransitionWindow[] {
  const starts = sceneFrameStarts(plan);
  return transitionFrames(plan).flatMap((frames, i) =>
    frames > 0 ? [{ start: starts[i] as number, end: (starts[i] as number) + frames }] : [],
  );
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
  const blends = transitionFrames(plan);
  // A window lies wholly inside the span or wholly outside it (segments never start inside one).
  const inSpan = (scene: number) => {
    const start = starts[scene] as number;
    return (blends[scene] ?? 0) > 0 && start >= startFrame && start < endFrame;
  };
  const parts: ScenePart[] = [];
  for (let scene = 0; scene < plan.scenes.length; scene++) {
    const from = Math.max(starts[scene] as number, startFrame);
    const to = Math.min(starts[scene + 1] as number, endFrame);
    if (to <= from) continue;
    const part: ScenePart = { scene, offset: from - (starts[scene] as number), frames: to - from };
    if (inSpan(scene + 1)) part.tail = blends[scene + 1] as number;
    if (inSpan(scene)) part.blendIn = blends[scene] as number;
    parts.push(part);
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

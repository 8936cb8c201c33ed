/**
 * Lays synthesized clips and silences end to end, counting samples. Every time is derived from a
 * sample position, so nothing drifts however long the narration is. Times are whole milliseconds
 * (what captions and the render plan use), each within half a millisecond of its exact sample, and
 * the total is padded by a few samples so durationMs is exact.
 */
import type { CaptionCue } from '../captions/types.ts';
import { framesForMs, type WavPart } from './wav.ts';

export type TimelineItem =
  | { kind: 'speech'; wavPath: string; frames: number; text: string }
  | { kind: 'pause'; ms: number };

export interface TimelineScene {
  index: number;
  items: TimelineItem[];
}

/** The silences of an offline narration, unless its caller chooses others (see TimelineOptions). */
export const NARRATION_GAPS = { utteranceGapMs: 150, sceneGapMs: 400, emptySceneMs: 1500 } as const;

export interface TimelineOptions {
  sampleRate: number;
  /** Silence between two utterances of the same scene (explicit pauses add to it). */
  utteranceGapMs: number;
  /** Silence between scenes; the scene boundary (the visual cut) sits in its middle. */
  sceneGapMs: number;
  /** Length of a scene with nothing to say, so its visual is still shown. */
  emptySceneMs: number;
}

export interface SceneTiming {
  index: number;
  startMs: number;
  endMs: number;
}

export interface Timeline {
  parts: { part: WavPart; frames: number }[];
  cues: CaptionCue[];
  scenes: SceneTiming[];
  frameCount: number;
  durationMs: number;
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/** Samples in the shortest span that is also a whole number of milliseconds (441 at 22.05 kHz). */
export function framesPerWholeMillisecondStep(sampleRate: number): number {
  return sampleRate / greatestCommonDivisor(sampleRate, 1000);
}

/**
 * Starts a scene on a narration timeline (the offline and the Azure layouts alike): between scenes
 * the gap is silence, and the scene — its picture — starts in the middle of it, so neither the end of
 * one scene's speech nor the start of the next one's sits on the cut.
 */
export function openScene(
  sceneNumber: number,
  gapFrames: number,
  timeline: { addSilence(frames: number): void; position(): number; sceneStarts: number[] },
): void {
  const before = sceneNumber > 0 ? Math.floor(gapFrames / 2) : 0;
  timeline.addSilence(before);
  timeline.sceneStarts.push(timeline.position());
  if (sceneNumber > 0) timeline.addSilence(gapFrames - before);
}

export function layOutNarration(scenes: TimelineScene[], options: TimelineOptions): Timeline {
  const rate = options.sampleRate;
  const msAt = (frame: number): number => Math.round((frame * 1000) / rate);
  const parts: Timeline['parts'] = [];
  const cues: CaptionCue[] = [];
  const sceneStarts: number[] = [];
  let position = 0;
  const addSilence = (frames: number): void => {
    if (frames <= 0) return;
    parts.push({ part: { silenceFrames: frames }, frames });
    position += frames;
  };

  scenes.forEach((scene, sceneNumber) => {
    openScene(sceneNumber, framesForMs(options.sceneGapMs, rate), {
      addSilence,
      position: () => position,
      sceneStarts,
    });
    const sceneStart = position;
    let spokeInScene = false;
    for (const item of scene.items) {
      if (item.kind === 'pause') {
        addSilence(framesForMs(item.ms, rate));
        continue;
      }
      if (spokeInScene) addSilence(framesForMs(options.utteranceGapMs, rate));
      spokeInScene = true;
      const start = position;
      parts.push({ part: { wavPath: item.wavPath }, frames: item.frames });
      position += item.frames;
      cues.push({
        index: cues.length,
        sceneIndex: scene.index,
        text: item.text,
        startMs: msAt(start),
        endMs: msAt(position),
      });
    }
    if (position === sceneStart) addSilence(framesForMs(options.emptySceneMs, rate));
  });

  const step = framesPerWholeMillisecondStep(rate);
  addSilence(Math.ceil(position / step) * step - position);
  const durationMs = (position * 1000) / rate;
  return {
    parts,
    cues,
    scenes: scenes.map((scene, i) => ({
      index: scene.index,
      startMs: msAt(sceneStarts[i] as number),
      endMs: i + 1 < scenes.length ? msAt(sceneStarts[i + 1] as number) : durationMs,
    })),
    frameCount: position,
    durationMs,
  };
}

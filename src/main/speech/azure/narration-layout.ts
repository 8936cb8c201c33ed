/**
 * Lays synthesized chunks end to end by sample count, with exact silence between scenes, and turns the
 * word boundaries of each chunk into narration times: a word's time is its chunk's start plus what the
 * service reported. A caption cue spans its utterance's first word start to its last word end.
 */
import type { CaptionCue } from '../../captions/types.ts';
import type { Utterance } from '../../script/types.ts';
import { framesPerWholeMillisecondStep, openScene, type SceneTiming } from '../narration-timeline.ts';
import type { WordTiming } from '../types.ts';
import { framesForMs, type WavPart } from '../wav.ts';
import type { ChunkAudio } from './chunk-audio.ts';
import type { SsmlChunk } from './chunks.ts';
import { wordOwners } from './word-owners.ts';

export type AzureNarrationWord = WordTiming & { cueIndex: number };

export interface LayoutScene {
  index: number;
  chunks: { chunk: SsmlChunk; audio: ChunkAudio }[];
  /** Pauses of a scene with nothing to say: its length when positive. */
  silentPauseMs: number;
}

export interface LayoutOptions {
  sampleRate: number;
  /** Silence between scenes; the scene boundary (the visual cut) sits in its middle. */
  sceneGapMs: number;
  /** Length of a scene with nothing to say and no pauses, so its visual is still shown. */
  emptySceneMs: number;
}

export interface AzureLayout {
  parts: WavPart[];
  frameCount: number;
  durationMs: number;
  cues: CaptionCue[];
  words: AzureNarrationWord[];
  scenes: SceneTiming[];
}

export function layOutAzureNarration(scenes: LayoutScene[], options: LayoutOptions): AzureLayout {
  const rate = options.sampleRate;
  const exactMs = (frame: number): number => (frame * 1000) / rate;
  const parts: WavPart[] = [];
  const cues: CaptionCue[] = [];
  const words: AzureNarrationWord[] = [];
  const cueOf = new Map<Utterance, CaptionCue>();
  const sceneStarts: number[] = [];
  let position = 0;
  const addSilence = (frames: number): void => {
    if (frames <= 0) return;
    parts.push({ silenceFrames: frames });
    position += frames;
  };

  const placeChunk = (sceneIndex: number, chunk: SsmlChunk, audio: ChunkAudio): void => {
    const startMs = exactMs(position);
    const endMs = Math.round(exactMs(position + audio.frameCount));
    const owners = wordOwners(chunk, audio.words);
    audio.words.forEach((word, i) => {
      const owner = owners[i] as Utterance;
      // Whole milliseconds, as captions use; never past the chunk's own audio.
      const start = Math.min(Math.round(startMs + word.startMs), endMs);
      const end = Math.min(Math.max(Math.round(startMs + word.endMs), start), endMs);
      let cue = cueOf.get(owner);
      if (!cue) {
        cue = { index: cues.length, sceneIndex, text: owner.text, startMs: start, endMs: end };
        cueOf.set(owner, cue);
        cues.push(cue);
      }
      cue.endMs = Math.max(cue.endMs, end);
      words.push({ text: word.text, startMs: start, endMs: end, cueIndex: cue.index });
    });
    parts.push({ wavPath: audio.wavPath });
    position += audio.frameCount;
  };

  scenes.forEach((scene, sceneNumber) => {
    openScene(sceneNumber, framesForMs(options.sceneGapMs, rate), {
      addSilence,
      position: () => position,
      sceneStarts,
    });
    for (const { chunk, audio } of scene.chunks) placeChunk(scene.index, chunk, audio);
    if (scene.chunks.length === 0) {
      addSilence(framesForMs(scene.silentPauseMs > 0 ? scene.silentPauseMs : options.emptySceneMs, rate));
    }
  });

  // Pad to a whole millisecond so durationMs is exact.
  const step = framesPerWholeMillisecondStep(rate);
  addSilence(Math.ceil(position / step) * step - position);
  const durationMs = exactMs(position);
  return {
    parts,
    frameCount: position,
    durationMs,
    cues,
    words,
    scenes: scenes.map((scene, i) => ({
      index: scene.index,
      startMs: Math.round(exactMs(sceneStarts[i] as number)),
      endMs: i + 1 < scenes.length ? Math.round(exactMs(sceneStarts[i + 1] as number)) : durationMs,
    })),
  };
}

/**
 * Builds the narration WAV of a script: every utterance is synthesized on its own (so each caption
 * cue spans exactly its audio), then clips and silences are laid end to end by sample count and
 * streamed into one WAV, written atomically.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import type { CaptionCue, TimedWord } from '../captions/types.ts';
import { createLogger } from '../log/logger.ts';
import type { Prosody, ScriptDocument, Utterance } from '../script/types.ts';
import { writeAtomically } from '../util/atomic-file.ts';
import { SpeechError } from './errors.ts';
import {
  layOutNarration,
  NARRATION_GAPS,
  type SceneTiming,
  type TimelineItem,
  type TimelineScene,
} from './narration-timeline.ts';
import { estimateClipWords } from './clip-words.ts';
import { OutputBudget } from './output-budget.ts';
import { type ClipOptions, clipFor, type SpeechClip } from './speech-clip.ts';
import { literalSpokenText } from './spoken-text.ts';
import { runWithConcurrency } from './task-pool.ts';
import type { SpeechRequest, SpeechSynthesizer } from './types.ts';
import { concatenateWav, NARRATION_FORMAT, readWavHeader, type WavFormat } from './wav.ts';

export type { SceneTiming } from './narration-timeline.ts';

export interface NarrationInput {
  document: ScriptDocument;
  synthesizer: SpeechSynthesizer;
  voiceFor: (utterance: Utterance) => SpeechRequest['voice'];
  /** The job's prosody; an utterance's own rate/pitch override it field by field. */
  baseProsody?: Prosody;
  /** Where per-utterance clips are kept; a clip is reused while its engine, voice and text are unchanged. */
  workDir: string;
  outPath: string;
  /** Engine processes running at once (default 2). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** Silence between utterances of one scene (default 150 ms). */
  utteranceGapMs?: number;
  /** Silence between scenes, with the cut in its middle (default 400 ms). */
  sceneGapMs?: number;
  /** Length of a scene with nothing to say (default 1500 ms). */
  emptySceneMs?: number;
  /** Output format (default 22.05 kHz mono s16). */
  format?: WavFormat;
  ffmpegPath?: string;
  /**
   * The longest narration this may make (its output budget): the audio written is counted clip by
   * clip, and once it passes this much the synthesis stops at once and what it wrote is removed.
   */
  maxDurationMs?: number;
}

export interface Narration {
  /** Exact: the WAV holds durationMs * sampleRate / 1000 samples. */
  durationMs: number;
  sampleRate: number;
  frameCount: number;
  cues: CaptionCue[];
  /** Contiguous: scene i ends where scene i+1 starts; the first starts at 0, the last ends at durationMs. */
  scenes: SceneTiming[];
  /**
   * When each word is heard, in order, inside its cue: Azure's word boundaries, or for the offline
   * voice an estimate inside each sentence's clip. Absent in timings written before words were kept.
   */
  words?: TimedWord[];
}

const log = createLogger('Narration');
/** Share of progress given to synthesis; concatenation is the quick rest. */
const SYNTHESIS_SHARE = 0.95;

function definedProsody(prosody: Prosody | undefined): Prosody {
  const result: Prosody = {};
  if (prosody?.rate) result.rate = prosody.rate;
  if (prosody?.pitch) result.pitch = prosody.pitch;
  return result;
}

function requestFor(input: NarrationInput, utterance: Utterance): SpeechRequest {
  const prosody = { ...definedProsody(input.baseProsody), ...definedProsody(utterance.prosody) };
  return { text: utterance.text, voice: input.voiceFor(utterance), ...prosody };
}

function withLocation(document: ScriptDocument, utterance: Utterance, error: unknown): unknown {
  if (!(error instanceof SpeechError)) return error;
  const where = `${document.file}:${utterance.line}:${utterance.col}`;
  return new SpeechError(error.kind, `${where}: ${error.message}`, { cause: error });
}

interface ClipPlan {
  /** Distinct clips, each with the first utterance that needs it (for error locations). */
  jobs: { clip: SpeechClip; utterance: Utterance }[];
  clipOf: Map<Utterance, SpeechClip>;
}

/** One clip per distinct request: a line repeated in the script is synthesized once. */
function planClips(input: NarrationInput, clipOptions: ClipOptions): ClipPlan {
  const byPath = new Map<string, { clip: SpeechClip; utterance: Utterance }>();
  const clipOf = new Map<Utterance, SpeechClip>();
  for (const scene of input.document.scenes) {
    for (const item of scene.items) {
      if (item.kind !== 'speech') continue;
      if (literalSpokenText(item.text) === '') {
        log.warn('skipping an utterance with nothing to say', { file: input.document.file, line: item.line });
        continue;
      }
      const clip = clipFor(requestFor(input, item), clipOptions);
      const existing = byPath.get(clip.wavPath);
      if (!existing) byPath.set(clip.wavPath, { clip, utterance: item });
      clipOf.set(item, existing?.clip ?? clip);
    }
  }
  return { jobs: [...byPath.values()], clipOf };
}

export async function synthesizeNarration(input: NarrationInput): Promise<Narration> {
  const { document } = input;
  const format = input.format ?? NARRATION_FORMAT;
  if (document.scenes.length === 0) {
    throw new SpeechError('nothing-to-say', `${document.file}: the script has no scenes to narrate`);
  }
  await mkdir(input.workDir, { recursive: true });
  const budget =
    input.maxDurationMs === undefined ? undefined : new OutputBudget(input.maxDurationMs, format);
  try {
    return await narrate(input, format, budget);
  } catch (error) {
    // A narration over its budget is refused whole: none of its clips is worth keeping.
    if (error instanceof SpeechError && error.kind === 'over-budget') {
      await rm(input.workDir, { recursive: true, force: true });
      log.warn('narration stopped at its budget', { file: document.file, bytes: budget?.usedBytes });
    }
    throw error;
  }
}

async function narrate(
  input: NarrationInput,
  format: WavFormat,
  budget: OutputBudget | undefined,
): Promise<Narration> {
  const { document, synthesizer, signal } = input;
  // Passing the budget stops the clips being synthesized at that moment too, not only the next ones.
  const stop = new AbortController();
  const synthesisSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const { jobs, clipOf } = planClips(input, {
    synthesizer,
    engineVersion: await synthesizer.version(),
    workDir: input.workDir,
    format,
    signal: synthesisSignal,
    ffmpegPath: input.ffmpegPath,
  });

  let done = 0;
  await runWithConcurrency(
    jobs,
    input.concurrency ?? 2,
    async ({ clip, utterance }) => {
      try {
        await clip.prepare();
        budget?.charge((await stat(clip.wavPath)).size);
      } catch (error) {
        const located = withLocation(document, utterance, error);
        if (located instanceof SpeechError && located.kind === 'over-budget') stop.abort(located);
        throw located;
      }
      done++;
      input.onProgress?.((done / jobs.length) * SYNTHESIS_SHARE);
    },
    synthesisSignal,
  );

  const frames = new Map<string, number>();
  for (const { clip } of jobs) frames.set(clip.wavPath, (await readWavHeader(clip.wavPath)).frameCount);
  const scenes: TimelineScene[] = document.scenes.map((scene) => ({
    index: scene.index,
    items: scene.items.flatMap((item): TimelineItem[] => {
      if (item.kind === 'pause') return [{ kind: 'pause', ms: item.ms }];
      const clip = clipOf.get(item);
      if (!clip) return [];
      return [
        { kind: 'speech', wavPath: clip.wavPath, frames: frames.get(clip.wavPath) ?? 0, text: item.text },
      ];
    }),
  }));
  const timeline = layOutNarration(scenes, {
    sampleRate: format.sampleRate,
    utteranceGapMs: input.utteranceGapMs ?? NARRATION_GAPS.utteranceGapMs,
    sceneGapMs: input.sceneGapMs ?? NARRATION_GAPS.sceneGapMs,
    emptySceneMs: input.emptySceneMs ?? NARRATION_GAPS.emptySceneMs,
  });
  if (budget) {
    // Repeated lines are synthesized once but spoken every time: the whole must fit too.
    const spoken = [...clipOf.keys()];
    const past = timeline.cues.find((cue) => cue.endMs > budget.limitMs);
    const at = past ? spoken[past.index] : undefined;
    budget.checkTotal(
      timeline.frameCount,
      format,
      at ? `${document.file}:${at.line}:${at.col}` : document.file,
    );
  }

  await writeAtomically(input.outPath, async (tempPath) => {
    const written = await concatenateWav(
      timeline.parts.map(({ part }) => part),
      tempPath,
      format,
      { ...(signal ? { signal } : {}), ...(input.ffmpegPath ? { ffmpegPath: input.ffmpegPath } : {}) },
    );
    if (written.frameCount !== timeline.frameCount) {
      // A clip changed between measuring and copying: the cue times would be wrong, so stop here.
      throw new SpeechError(
        'invalid-wav',
        `Narration length mismatch: wrote ${written.frameCount} samples, planned ${timeline.frameCount}`,
      );
    }
  });
  const words = await wordsOfCues(timeline.cues, scenes);
  input.onProgress?.(1);
  log.info('narration ready', {
    file: document.file,
    durationMs: timeline.durationMs,
    cues: timeline.cues.length,
  });
  return {
    durationMs: timeline.durationMs,
    sampleRate: format.sampleRate,
    frameCount: timeline.frameCount,
    cues: timeline.cues,
    scenes: timeline.scenes,
    words,
  };
}

/**
 * The offline voices report no word timings: each cue's words are estimated inside its own clip (a
 * line said twice is estimated once) and placed at the cue's time.
 */
async function wordsOfCues(
  cues: readonly CaptionCue[],
  scenes: readonly TimelineScene[],
): Promise<TimedWord[]> {
  // Cues are made one per spoken item, in this order (narration-timeline.ts).
  const spoken = scenes.flatMap((scene) => scene.items.filter((item) => item.kind === 'speech'));
  const estimates = new Map<string, Awaited<ReturnType<typeof estimateClipWords>>>();
  const words: TimedWord[] = [];
  for (const cue of cues) {
    const item = spoken[cue.index];
    if (!item) continue;
    const key = `${item.wavPath}\0${item.text}`;
    let estimate = estimates.get(key);
    if (!estimate) {
      estimate = await estimateClipWords(item.wavPath, item.text);
      estimates.set(key, estimate);
    }
    for (const word of estimate) {
      const at = (ms: number) => Math.min(Math.max(Math.round(cue.startMs + ms), cue.startMs), cue.endMs);
      words.push({ text: word.text, startMs: at(word.startMs), endMs: at(word.endMs), cueIndex: cue.index });
    }
  }
  return words;
}

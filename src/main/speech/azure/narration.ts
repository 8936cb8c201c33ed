/**
 * The narration of a whole script with an Azure neural voice. The script is cut into requests of a
 * safe size (scene boundaries first, then sentence boundaries), each request's PCM is kept as the
 * service sent it and the pieces are joined sample-exactly (no re-encoding, so no gaps or clicks), with
 * precise silence between scenes. Captions follow the word boundaries the service reported.
 */
import { mkdir, stat } from 'node:fs/promises';
import { createLogger } from '../../log/logger.ts';
import type { SsmlVoice } from '../../script/ssml.ts';
import type { ScriptDocument } from '../../script/types.ts';
import { writeAtomically } from '../../util/atomic-file.ts';
import { SpeechError } from '../errors.ts';
import type { Narration } from '../narration.ts';
import { OutputBudget } from '../output-budget.ts';
import { runWithConcurrency } from '../task-pool.ts';
import { concatenateWav } from '../wav.ts';
import type { AzureSpeech } from './azure-speech.ts';
import { type ChunkAudio, chunkAudio, removeChunkAudio } from './chunk-audio.ts';
import { chunkScene, type SsmlChunk, utterancesOf } from './chunks.ts';
import { AzureSpeechError } from './errors.ts';
import { type AzureNarrationWord, type LayoutScene, layOutAzureNarration } from './narration-layout.ts';

export type { AzureNarrationWord } from './narration-layout.ts';

export interface AzureNarrationInput {
  document: ScriptDocument;
  /** The job's voice: name, xml:lang, and the preset's style, role and prosody. */
  voice: SsmlVoice;
  /** Maps a `[voice slug]` to an Azure voice name; identity when absent. */
  resolveVoiceName?: (slug: string) => string;
  speech: AzureSpeech;
  /** Where chunk audio is kept; a chunk is reused while its SSML and the engine version are unchanged. */
  workDir: string;
  outPath: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** Largest SSML per request (default 4000 characters, far below Azure's limit). */
  maxChunkChars?: number;
  /** Most <voice> elements per request (default 50, Azure's limit). */
  maxVoiceElements?: number;
  /** Silence between scenes, with the cut in its middle (default 400 ms). */
  sceneGapMs?: number;
  /** Length of a scene with nothing to say (default 1500 ms). */
  emptySceneMs?: number;
  /** Requests running at once (default 2). */
  concurrency?: number;
  /** The longest narration this may make: see NarrationInput.maxDurationMs (counted chunk by chunk). */
  maxDurationMs?: number;
}

export interface AzureNarration extends Narration {
  /** Every word the service reported, in narration time, with the cue it belongs to. */
  words: AzureNarrationWord[];
}

const log = createLogger('AzureNarration');
/** Share of progress given to synthesis; joining the audio is the quick rest. */
const SYNTHESIS_SHARE = 0.95;

function located(document: ScriptDocument, chunk: SsmlChunk, error: unknown): unknown {
  if (
    !(error instanceof AzureSpeechError) ||
    (error.kind !== 'invalid-ssml' && error.kind !== 'bad-response')
  ) {
    return error;
  }
  return new AzureSpeechError(error.kind, `${locationOf(document, chunk)}: ${error.message}`, {
    cause: error,
  });
}

function locationOf(document: ScriptDocument, chunk: SsmlChunk): string {
  const first = utterancesOf(chunk)[0];
  return first ? `${document.file}:${first.line}:${first.col}` : document.file;
}

export async function synthesizeAzureNarration(input: AzureNarrationInput): Promise<AzureNarration> {
  const { document, speech } = input;
  const chunkOptions = {
    voice: input.voice,
    resolveVoiceName: input.resolveVoiceName,
    maxChunkChars: input.maxChunkChars ?? 4000,
    maxVoiceElements: input.maxVoiceElements ?? 50,
  };
  const chunksByScene = document.scenes.map((scene) => chunkScene(scene, chunkOptions));
  if (chunksByScene.every((chunks) => chunks.length === 0)) {
    throw new SpeechError('nothing-to-say', `${document.file}: the script has nothing to narrate`);
  }
  await mkdir(input.workDir, { recursive: true });
  const format = { sampleRate: speech.sampleRate, channels: 1 } as const;
  const budget =
    input.maxDurationMs === undefined ? undefined : new OutputBudget(input.maxDurationMs, format);
  const requested: ChunkAudio[] = [];
  try {
    return await narrate(input, chunksByScene, budget, requested);
  } catch (error) {
    // A narration over its budget is refused whole: none of the chunks it asked for is worth keeping
    // (the folder is shared: what other narrations asked for stays).
    if (error instanceof SpeechError && error.kind === 'over-budget') {
      await Promise.all(requested.map((audio) => removeChunkAudio(audio)));
      log.warn('narration stopped at its budget', { file: document.file, bytes: budget?.usedBytes });
    }
    throw error;
  }
}

async function narrate(
  input: AzureNarrationInput,
  chunksByScene: SsmlChunk[][],
  budget: OutputBudget | undefined,
  requested: ChunkAudio[],
): Promise<AzureNarration> {
  const { document, speech, signal } = input;
  const chunks = chunksByScene.flat();
  const engineVersion = await speech.version();
  const audioOf = new Map<SsmlChunk, ChunkAudio>();
  // Passing the budget stops the requests under way at that moment too, not only the next ones.
  const stop = new AbortController();
  const requestSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let done = 0;
  await runWithConcurrency(
    chunks,
    input.concurrency ?? 2,
    async (chunk) => {
      try {
        const { audio, reused } = await chunkAudio(
          speech,
          engineVersion,
          chunk.ssml,
          input.workDir,
          requestSignal,
        );
        audioOf.set(chunk, audio);
        if (!reused) requested.push(audio);
        budget?.charge((await stat(audio.wavPath)).size);
      } catch (error) {
        const where = locationOf(document, chunk);
        if (error instanceof SpeechError && error.kind === 'over-budget') {
          const over = new SpeechError('over-budget', `${where}: ${error.message}`);
          stop.abort(over);
          throw over;
        }
        throw located(document, chunk, error);
      }
      done++;
      input.onProgress?.((done / chunks.length) * SYNTHESIS_SHARE);
    },
    requestSignal,
  );

  const scenes: LayoutScene[] = document.scenes.map((scene, i) => ({
    index: scene.index,
    chunks: (chunksByScene[i] ?? []).map((chunk) => ({ chunk, audio: audioOf.get(chunk) as ChunkAudio })),
    silentPauseMs: scene.items.reduce((sum, item) => sum + (item.kind === 'pause' ? item.ms : 0), 0),
  }));
  const layout = layOutAzureNarration(scenes, {
    sampleRate: speech.sampleRate,
    sceneGapMs: input.sceneGapMs ?? 400,
    emptySceneMs: input.emptySceneMs ?? 1500,
  });
  const format = { sampleRate: speech.sampleRate, channels: 1 } as const;
  budget?.checkTotal(layout.frameCount, format, document.file);
  await writeAtomically(input.outPath, async (tempPath) => {
    const written = await concatenateWav(layout.parts, tempPath, format, signal ? { signal } : {});
    if (written.frameCount !== layout.frameCount) {
      // A chunk file changed between measuring and copying: the word times would be wrong.
      throw new SpeechError(
        'invalid-wav',
        `Narration length mismatch: wrote ${written.frameCount} samples, planned ${layout.frameCount}`,
      );
    }
  });

  const spoken = chunks.reduce((sum, chunk) => sum + utterancesOf(chunk).length, 0);
  if (layout.cues.length < spoken) {
    log.warn('some sentences got no word timings, so they have no caption', {
      file: document.file,
      sentences: spoken,
      captioned: layout.cues.length,
    });
  }
  input.onProgress?.(1);
  log.info('Azure narration ready', {
    file: document.file,
    durationMs: layout.durationMs,
    chunks: chunks.length,
    requests: requested.length,
    cues: layout.cues.length,
  });
  return {
    durationMs: layout.durationMs,
    sampleRate: speech.sampleRate,
    frameCount: layout.frameCount,
    cues: layout.cues,
    scenes: layout.scenes,
    words: layout.words,
  };
}

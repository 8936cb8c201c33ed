/**
 * The audio of one chunk on disk, named by the SSML and the engine version: re-rendering an unchanged
 * script costs no Azure requests, an edited one only its changed chunks, and a changed chunk is never
 * reused. The word timings live in a JSON file beside the WAV; the pair is used only when the JSON
 * agrees with the WAV's sample count. A chunk used is touched: the garbage collector removes those
 * unused for a week.
 */
import { readFile, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../../util/atomic-file.ts';
import { hashJson } from '../../util/hash.ts';
import type { WordTiming } from '../types.ts';
import { readWavHeader } from '../wav.ts';
import type { AzureSpeech } from './azure-speech.ts';

export interface ChunkAudio {
  wavPath: string;
  frameCount: number;
  /** Times in ms from the start of this chunk's audio. */
  words: WordTiming[];
}

interface WordsFile {
  frameCount: number;
  sampleRate: number;
  words: WordTiming[];
}

async function readCached(
  wavPath: string,
  wordsPath: string,
  sampleRate: number,
): Promise<ChunkAudio | undefined> {
  try {
    const saved = JSON.parse(await readFile(wordsPath, 'utf8')) as WordsFile;
    const header = await readWavHeader(wavPath);
    const matches =
      header.frameCount === saved.frameCount &&
      header.sampleRate === sampleRate &&
      saved.sampleRate === sampleRate;
    return matches && Array.isArray(saved.words)
      ? { wavPath, frameCount: header.frameCount, words: saved.words }
      : undefined;
  } catch {
    return undefined;
  }
}

export async function chunkAudio(
  speech: AzureSpeech,
  engineVersion: string,
  ssml: string,
  workDir: string,
  signal?: AbortSignal,
): Promise<{ audio: ChunkAudio; reused: boolean }> {
  const name = `azure-${hashJson({ engine: speech.id, version: engineVersion, ssml }).slice(0, 32)}`;
  const wavPath = join(workDir, `${name}.wav`);
  const wordsPath = wordsPathOf(wavPath);
  const cached = await readCached(wavPath, wordsPath, speech.sampleRate);
  if (cached) {
    const now = new Date();
    await Promise.all([wavPath, wordsPath].map((path) => utimes(path, now, now).catch(() => undefined)));
    return { audio: cached, reused: true };
  }

  const { words } = await speech.synthesizeSsml(ssml, wavPath, signal);
  const { frameCount } = await readWavHeader(wavPath);
  const saved: WordsFile = { frameCount, sampleRate: speech.sampleRate, words };
  await writeFileAtomically(wordsPath, JSON.stringify(saved));
  return { audio: { wavPath, frameCount, words }, reused: false };
}

/** A chunk this narration asked for and does not keep (it was over its budget). */
export async function removeChunkAudio(audio: ChunkAudio): Promise<void> {
  await Promise.all([audio.wavPath, wordsPathOf(audio.wavPath)].map((path) => rm(path, { force: true })));
}

function wordsPathOf(wavPath: string): string {
  return wavPath.replace(/\.wav$/, '.words.json');
}

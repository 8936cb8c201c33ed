/**
 * The estimated word timings of one synthesized sentence, read from its clip (see word-estimate.ts).
 * Tokens are the sentence's words as captions show them, so each caption word gets its own timing.
 */
import { readFile } from 'node:fs/promises';
import { singleLine } from '../captions/wrap.ts';
import type { WordTiming } from './types.ts';
import { readWavHeader } from './wav.ts';
import { estimateWordTimings, voiceActivity } from './word-estimate.ts';

/** The words of `text` timed inside the mono 16-bit WAV clip at `wavPath` (ms from its start). */
export async function estimateClipWords(wavPath: string, text: string): Promise<WordTiming[]> {
  const header = await readWavHeader(wavPath);
  const bytes = await readFile(wavPath);
  const samples = new Int16Array(header.frameCount);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = bytes.readInt16LE(header.dataOffset + i * header.blockAlign);
  }
  const written = singleLine(text);
  const tokens = written === '' ? [] : written.split(' ');
  return estimateWordTimings(tokens, voiceActivity(samples, header.sampleRate));
}

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateClipWords } from './clip-words.ts';
import { createEspeakSynthesizer } from './espeak.ts';
import type { WordTiming } from './types.ts';
import { readWavHeader, wavDurationMs } from './wav.ts';
import { estimateWordTimings, matchPausesToGaps, speechRuns, voiceActivity } from './word-estimate.ts';

const RATE = 22050;

/** A clip of tones (speech) and silences, in milliseconds. */
function clip(parts: { toneMs?: number; silenceMs?: number }[]): Int16Array {
  const samples: number[] = [];
  for (const part of parts) {
    const frames = Math.round((((part.toneMs ?? part.silenceMs) as number) * RATE) / 1000);
    for (let i = 0; i < frames; i++) samples.push(part.toneMs ? Math.round(8000 * Math.sin(i / 3)) : 0);
  }
  return Int16Array.from(samples);
}

/** Within one 10 ms analysis window. */
function expectNear(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    expect(Math.abs(value - (expected[i] as number))).toBeLessThanOrEqual(11);
  });
}

function expectInOrderWithin(words: WordTiming[], endMs: number): void {
  let previousEnd = 0;
  for (const word of words) {
    expect(word.startMs).toBeGreaterThanOrEqual(previousEnd);
    expect(word.endMs).toBeGreaterThanOrEqual(word.startMs);
    previousEnd = word.endMs;
  }
  expect(previousEnd).toBeLessThanOrEqual(endMs);
}

describe('estimating word timings inside a clip', () => {
  it('finds speech and the pauses between phrases, ignoring the short silences inside words', () => {
    const activity = voiceActivity(
      clip([
        { silenceMs: 200 },
        { toneMs: 500 },
        { silenceMs: 40 },
        { toneMs: 300 },
        { silenceMs: 250 },
        { toneMs: 400 },
        { silenceMs: 100 },
      ]),
      RATE,
    );
    const runs = speechRuns(activity);
    expect(runs).toHaveLength(2);
    expectNear(
      runs.flatMap((run) => [run.startMs, run.endMs]),
      [200, 1040, 1290, 1690],
    );
  });

  it('matches pauses to the word gaps they fit best, preferring clause ends, or to none', () => {
    // Gaps after words at 20 %, 40 %, 60 %, 80 % of the words; the third ends a clause.
    const gaps = [0.2, 0.4, 0.6, 0.8];
    const clauses = [false, false, true, false];
    expect(matchPausesToGaps(gaps, clauses, [0.55], [200])).toEqual([2]);
    expect(matchPausesToGaps(gaps, clauses, [0.45], [200])).toEqual([2]); // nearer 40 %, but a comma
    expect(matchPausesToGaps(gaps, [false, false, false, false], [0.45], [200])).toEqual([1]);
    expect(matchPausesToGaps(gaps, clauses, [0.21, 0.79], [150, 150])).toEqual([0, 3]);
    expect(matchPausesToGaps([0.5], [false], [0.05], [90])).toEqual([-1]); // far from any gap
  });

  it('puts the words of each phrase between the pauses around it', () => {
    const activity = voiceActivity(
      clip([{ silenceMs: 100 }, { toneMs: 600 }, { silenceMs: 300 }, { toneMs: 900 }, { silenceMs: 150 }]),
      RATE,
    );
    const words = estimateWordTimings(['Bees', 'dance,', 'and', 'flowers', 'bloom.'], activity);
    expect(words.map((w) => w.text)).toEqual(['Bees', 'dance,', 'and', 'flowers', 'bloom.']);
    const at = (i: number, edge: 'startMs' | 'endMs') => words[i]?.[edge] as number;
    expectNear([at(0, 'startMs'), at(1, 'endMs'), at(2, 'startMs'), at(4, 'endMs')], [100, 700, 1000, 1900]);
    expectInOrderWithin(words, activity.durationMs);
    // Longer words take longer: "flowers" (7 letters) over "and" (3).
    const length = (w: WordTiming | undefined) => (w ? w.endMs - w.startMs : 0);
    expect(length(words[3])).toBeGreaterThan(length(words[2]) * 1.5);
  });

  it('spreads words over a silent clip rather than failing', () => {
    const words = estimateWordTimings(['a', 'b'], voiceActivity(clip([{ silenceMs: 500 }]), RATE));
    expect(words).toEqual([
      { text: 'a', startMs: 0, endMs: 250 },
      { text: 'b', startMs: 250, endMs: 500 },
    ]);
  });
});

describe('word timings of the offline voice (espeak-ng)', () => {
  const espeak = createEspeakSynthesizer();
  const voice = 'en-us+f3';
  const sentence = 'Bees talk with their bodies, and every dance says where the flowers are today.';
  let dir: string;
  let clipPath: string;
  let words: WordTiming[];

  /** Where speech ends in a clip of `text` alone (its last loud window). */
  async function spokenEndMs(text: string, name: string): Promise<number> {
    const path = join(dir, `${name}.wav`);
    await espeak.synthesizeToWav({ text, voice }, path);
    return samplesOf(path).then((samples) => speechRuns(voiceActivity(samples, RATE)).at(-1)?.endMs ?? 0);
  }

  async function samplesOf(path: string): Promise<Int16Array> {
    const header = await readWavHeader(path);
    const bytes = await readFile(path);
    return Int16Array.from({ length: header.frameCount }, (_, i) =>
      bytes.readInt16LE(header.dataOffset + 2 * i),
    );
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vf-word-estimate-'));
    clipPath = join(dir, 'sentence.wav');
    await espeak.synthesizeToWav({ text: sentence, voice }, clipPath);
    words = await estimateClipWords(clipPath, sentence);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives every written word a time inside the sentence clip, in order', async () => {
    expect(words.map((w) => w.text)).toEqual(sentence.split(' '));
    expectInOrderWithin(words, await wavDurationMs(clipPath));
    expect(words[0]?.startMs).toBeGreaterThan(0); // espeak-ng starts with a little silence
  });

  it('starts the word after the comma after the pause the voice made there', async () => {
    const samples = await samplesOf(clipPath);
    const pauses = speechRuns(voiceActivity(samples, RATE));
    const afterComma = words[5] as WordTiming; // "and"
    const commaPause = pauses.findIndex((run) => run.startMs >= (words[4]?.startMs ?? 0));
    expect(commaPause).toBeGreaterThan(0);
    expect(afterComma.startMs).toBe(pauses[commaPause]?.startMs);
    expect(words[4]?.endMs).toBe(pauses[commaPause - 1]?.endMs);
  });

  it('is close to where each word really ends (measured by speaking the sentence up to it)', async () => {
    const tokens = sentence.split(' ');
    const errors: number[] = [];
    const evenErrors: number[] = [];
    const durationMs = await wavDurationMs(clipPath);
    for (let k = 1; k < tokens.length; k++) {
      // Spoken alone, a sentence's beginning ends about where that word ends in the whole sentence
      // (a little later: the voice lengthens a last word).
      const truth = await spokenEndMs(tokens.slice(0, k).join(' '), `prefix-${k}`);
      errors.push(Math.abs((words[k - 1]?.endMs ?? 0) - truth));
      evenErrors.push(Math.abs((durationMs * k) / tokens.length - truth));
    }
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    // Measured here: 65 ms on average (two frames at 30 fps); sharing the clip evenly is off by 113 ms.
    expect(mean(errors)).toBeLessThan(110);
    expect(mean(errors)).toBeLessThan(mean(evenErrors) * 0.7);
  });
});

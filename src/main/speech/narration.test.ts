import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLogSinks } from '../log/logger.ts';
import type { Prosody, SceneItem, ScriptDocument, Utterance } from '../script/types.ts';
import { SpeechError } from './errors.ts';
import { createEspeakSynthesizer } from './espeak.ts';
import { type Narration, synthesizeNarration } from './narration.ts';
import type { SpeechRequest, SpeechSynthesizer } from './types.ts';
import { readWavHeader, wavDurationMs } from './wav.ts';
import { canonicalWavHeader } from './wav-header.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vf-narration-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const say = (text: string, line: number, prosody: Prosody = {}): Utterance => ({
  kind: 'speech',
  text,
  prosody,
  line,
  col: 1,
});
const pause = (ms: number, line: number): SceneItem => ({ kind: 'pause', ms, line, col: 1 });

function scriptOf(...scenes: SceneItem[][]): ScriptDocument {
  return {
    file: 'script.md',
    meta: {},
    scenes: scenes.map((items, index) => ({ index, title: `Scene ${index + 1}`, line: 1, items })),
    warnings: [],
  };
}

/** A fake engine with exactly known output: 441 non-zero samples (20 ms at 22.05 kHz) per character. */
function toneSynthesizer(sampleRate = 22050): { synthesizer: SpeechSynthesizer; requests: SpeechRequest[] } {
  const requests: SpeechRequest[] = [];
  const synthesizer: SpeechSynthesizer = {
    id: 'tone',
    version: async () => '1',
    available: async () => true,
    voices: async () => [],
    voiceProblem: async (voice) => (voice === 'bad' ? 'tone has no voice "bad"' : undefined),
    async synthesizeToWav(request, outPath, signal) {
      signal?.throwIfAborted();
      requests.push(request);
      if (request.voice === 'bad') throw new SpeechError('invalid-voice', 'tone has no voice "bad"');
      const frames = (request.text.length * 441 * sampleRate) / 22050;
      const samples = Buffer.alloc(frames * 2, 0x11);
      await writeFile(
        outPath,
        Buffer.concat([canonicalWavHeader({ sampleRate, channels: 1 }, samples.length), samples]),
      );
      return {};
    },
  };
  return { synthesizer, requests };
}

function narrate(
  document: ScriptDocument,
  synthesizer: SpeechSynthesizer,
  extra: Partial<Parameters<typeof synthesizeNarration>[0]> = {},
) {
  return synthesizeNarration({
    document,
    synthesizer,
    voiceFor: () => 'en-us',
    workDir: join(dir, 'work'),
    outPath: join(dir, 'narration.wav'),
    ...extra,
  });
}

async function samplesOf(path: string): Promise<Buffer> {
  const header = await readWavHeader(path);
  return (await readFile(path)).subarray(header.dataOffset, header.dataOffset + header.dataBytes);
}

function expectConsistent(narration: Narration): void {
  expect(narration.scenes[0]?.startMs).toBe(0);
  expect(narration.scenes.at(-1)?.endMs).toBe(narration.durationMs);
  for (const [i, scene] of narration.scenes.slice(1).entries()) {
    expect(scene.startMs).toBe(narration.scenes[i]?.endMs);
  }
  narration.cues.forEach((cue, i) => {
    expect(cue.index).toBe(i);
    expect(cue.endMs).toBeGreaterThan(cue.startMs);
    if (i > 0) expect(cue.startMs).toBeGreaterThanOrEqual(narration.cues[i - 1]?.endMs ?? 0);
    const scene = narration.scenes.find((s) => s.index === cue.sceneIndex);
    expect(cue.startMs).toBeGreaterThanOrEqual(scene?.startMs ?? -1);
    expect(cue.endMs).toBeLessThanOrEqual(scene?.endMs ?? -1);
  });
}

describe('synthesizeNarration with espeak-ng', () => {
  it('narrates a two-scene script into a WAV exactly durationMs long, with cues on the audio', async () => {
    const espeak = createEspeakSynthesizer();
    const document = scriptOf(
      [say('Hello there.', 3), pause(300, 4), say('This is scene one.', 5)],
      [say('And scene two.', 8, { rate: '+20%' })],
    );
    const narration = await narrate(document, espeak);
    const out = join(dir, 'narration.wav');

    const header = await readWavHeader(out);
    expect(header).toMatchObject({ sampleRate: 22050, channels: 1 });
    expect(header.frameCount).toBe((narration.durationMs * 22050) / 1000);
    expect(narration.frameCount).toBe(header.frameCount);
    const probed = execFileSync('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=duration_ts',
      '-of',
      'csv=p=0',
      out,
    ]);
    expect(Number(probed.toString())).toBe(header.frameCount);

    expect(narration.cues.map((c) => [c.sceneIndex, c.text])).toEqual([
      [0, 'Hello there.'],
      [0, 'This is scene one.'],
      [1, 'And scene two.'],
    ]);
    expectConsistent(narration);
    // Each cue spans exactly its own utterance's audio (to the rounding of its two ends).
    const requests: SpeechRequest[] = [
      { text: 'Hello there.', voice: 'en-us' },
      { text: 'This is scene one.', voice: 'en-us' },
      { text: 'And scene two.', voice: 'en-us', rate: '+20%' },
    ];
    for (const [i, request] of requests.entries()) {
      const alone = join(dir, `alone-${i}.wav`);
      await espeak.synthesizeToWav(request, alone);
      const cue = narration.cues[i];
      expect(
        Math.abs((cue?.endMs ?? 0) - (cue?.startMs ?? 0) - (await wavDurationMs(alone))),
      ).toBeLessThanOrEqual(1);
    }
    // Between the first two cues lies the 300 ms pause plus the 150 ms gap, all of it silent.
    const first = narration.cues[0];
    const second = narration.cues[1];
    expect((second?.startMs ?? 0) - (first?.endMs ?? 0)).toBe(450);
    const samples = await samplesOf(out);
    const silent = samples.subarray(
      (((first?.endMs ?? 0) + 1) * 22050 * 2) / 1000,
      (((second?.startMs ?? 0) - 1) * 22050 * 2) / 1000,
    );
    expect(silent.length).toBeGreaterThan(400 * 44);
    expect(silent.every((byte) => byte === 0)).toBe(true);
  });

  it('times every written word inside its own cue, in order, on the speech', async () => {
    const espeak = createEspeakSynthesizer();
    const document = scriptOf(
      [say('Bees talk with their bodies, and every dance says where.', 3), say('Hello there.', 4)],
      [say('Hello there.', 7)],
    );
    const narration = await narrate(document, espeak);
    const words = narration.words ?? [];
    expect(words.map((w) => [w.cueIndex, w.text])).toEqual(
      narration.cues.flatMap((cue) => cue.text.split(' ').map((text) => [cue.index, text])),
    );
    let previousEnd = 0;
    for (const word of words) {
      const cue = narration.cues[word.cueIndex];
      expect(word.startMs).toBeGreaterThanOrEqual(Math.max(cue?.startMs ?? 0, previousEnd));
      expect(word.endMs).toBeGreaterThanOrEqual(word.startMs);
      expect(word.endMs).toBeLessThanOrEqual(cue?.endMs ?? 0);
      previousEnd = word.endMs;
    }
    // Every word lies on speech, not on the silence between sentences or scenes.
    const samples = await samplesOf(join(dir, 'narration.wav'));
    for (const word of words) {
      const window = samples.subarray(
        Math.round((word.startMs * 22050) / 1000) * 2,
        Math.round((word.endMs * 22050) / 1000) * 2,
      );
      let loudest = 0;
      for (let i = 0; i + 1 < window.length; i += 2)
        loudest = Math.max(loudest, Math.abs(window.readInt16LE(i)));
      expect(loudest, `${word.text} at ${word.startMs} ms`).toBeGreaterThan(1000);
    }
    // The line said twice is timed alike both times, relative to its cue.
    const relative = (cueIndex: number) =>
      words
        .filter((w) => w.cueIndex === cueIndex)
        .map((w) => w.startMs - (narration.cues[cueIndex]?.startMs ?? 0));
    expect(relative(2)).toEqual(relative(1));
  });
});

describe('synthesizeNarration timing', () => {
  it('adds exactly the duration of a silence item, to the sample', async () => {
    const { synthesizer } = toneSynthesizer();
    const without = await narrate(scriptOf([say('One', 1), say('Two', 2)], [say('Three', 4)]), synthesizer);
    const withoutSamples = await samplesOf(join(dir, 'narration.wav'));
    const withPause = await narrate(
      scriptOf([say('One', 1), pause(500, 2), say('Two', 2)], [say('Three', 4)]),
      synthesizer,
    );
    const withSamples = await samplesOf(join(dir, 'narration.wav'));

    expect(withPause.frameCount - without.frameCount).toBe(11025);
    expect(withPause.durationMs - without.durationMs).toBe(500);
    expect(withPause.cues.map((c) => c.startMs - (without.cues[c.index]?.startMs ?? 0))).toEqual([
      0, 500, 500,
    ]);
    expect(withSamples.length - withoutSamples.length).toBe(11025 * 2);
    // The tone fills exactly its cue; the added samples are silence right after the first cue.
    const firstEnd = (60 * 22050 * 2) / 1000;
    expect(withSamples.subarray(0, firstEnd).every((byte) => byte === 0x11)).toBe(true);
    expect(withSamples.subarray(firstEnd, firstEnd + 11025 * 2).every((byte) => byte === 0)).toBe(true);
    expectConsistent(withPause);
  });

  it('converts clips from an engine at another sample rate and stays exact', async () => {
    const { synthesizer } = toneSynthesizer(16000);
    const narration = await narrate(scriptOf([say('Resampled', 1)], [say('Twice', 3)]), synthesizer);
    const header = await readWavHeader(join(dir, 'narration.wav'));
    expect(header.sampleRate).toBe(22050);
    expect(header.frameCount).toBe((narration.durationMs * 22050) / 1000);
    expect(narration.cues[0]?.endMs).toBe(180); // 9 characters × 20 ms, resampled
    expectConsistent(narration);
    const clips = (await readdir(join(dir, 'work'))).filter((name) => name.endsWith('.wav'));
    expect(clips).toHaveLength(2);
    for (const clip of clips) expect((await readWavHeader(join(dir, 'work', clip))).sampleRate).toBe(22050);
  });
});

describe('synthesizeNarration requests, caching and failures', () => {
  it('merges prosody, synthesizes a repeated line once, and reuses clips on the next run', async () => {
    const { synthesizer, requests } = toneSynthesizer();
    const document = scriptOf(
      [say('Same line', 1), say('Faster', 2, { rate: '+30%' }), say('   ', 3)],
      [say('Same line', 5)],
    );
    const logged: string[] = [];
    const restoreLogs = setLogSinks([(record) => logged.push(record.message)]);
    const progress: number[] = [];
    const base = {
      baseProsody: { rate: '-10%', pitch: '+2st' },
      onProgress: (f: number) => progress.push(f),
    };
    const narration = await narrate(document, synthesizer, base).finally(restoreLogs);
    expect(logged).toContain('skipping an utterance with nothing to say');
    // Two engine runs at once: their order is not fixed.
    expect([...requests].sort((a, b) => a.text.localeCompare(b.text))).toEqual([
      { text: 'Faster', voice: 'en-us', rate: '+30%', pitch: '+2st' },
      { text: 'Same line', voice: 'en-us', rate: '-10%', pitch: '+2st' },
    ]);
    expect(narration.cues.map((c) => c.text)).toEqual(['Same line', 'Faster', 'Same line']);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    await narrate(document, synthesizer, base);
    expect(requests).toHaveLength(2);
  });

  it('says where in the script a synthesis failed', async () => {
    const { synthesizer } = toneSynthesizer();
    const document = scriptOf([say('Fine', 1)], [say('Broken voice', 4)]);
    const failure = narrate(document, synthesizer, { voiceFor: (u) => (u.line === 4 ? 'bad' : 'good') });
    await expect(failure).rejects.toMatchObject({
      kind: 'invalid-voice',
      message: 'script.md:4:1: tone has no voice "bad"',
    });
    expect(existsSync(join(dir, 'narration.wav'))).toBe(false);
  });

  it('stops when aborted and refuses a script with no scenes', async () => {
    const { synthesizer, requests } = toneSynthesizer();
    const controller = new AbortController();
    controller.abort();
    const aborted = narrate(scriptOf([say('Never', 1)]), synthesizer, { signal: controller.signal });
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(requests).toEqual([]);
    expect(existsSync(join(dir, 'narration.wav'))).toBe(false);
    await expect(narrate(scriptOf(), synthesizer)).rejects.toMatchObject({ kind: 'nothing-to-say' });
  });
});

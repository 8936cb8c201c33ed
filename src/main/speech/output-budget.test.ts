import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScriptDocument, Utterance } from '../script/types.ts';
import { SpeechError } from './errors.ts';
import { createEspeakSynthesizer } from './espeak.ts';
import { synthesizeNarration } from './narration.ts';
import { OutputBudget } from './output-budget.ts';
import type { SpeechSynthesizer } from './types.ts';
import { NARRATION_FORMAT } from './wav.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vf-budget-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function bytesUnder(root: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(root, { recursive: true }).catch(() => [] as string[])) {
    const info = await stat(join(root, name)).catch(() => null);
    if (info?.isFile()) total += info.size;
  }
  return total;
}

/**
 * The real espeak-ng, watched from outside: after each synthesis it measures what is on disk in the
 * narration's folder (the clip just made included), so the test sees the most the narration ever held.
 */
function watchedEspeak(workDir: string) {
  const espeak = createEspeakSynthesizer();
  const seen = { calls: 0, peakBytes: 0, largestClip: 0 };
  const synthesizer: SpeechSynthesizer = {
    ...espeak,
    async synthesizeToWav(request, outPath, signal) {
      seen.calls++;
      const result = await espeak.synthesizeToWav(request, outPath, signal);
      seen.largestClip = Math.max(seen.largestClip, (await stat(outPath)).size);
      seen.peakBytes = Math.max(seen.peakBytes, await bytesUnder(workDir));
      return result;
    },
  };
  return { synthesizer, seen };
}

/** Thirty different sentences of about two seconds each: a minute of narration. */
function thirtySentences(): ScriptDocument {
  const items: Utterance[] = Array.from({ length: 30 }, (_, i) => ({
    kind: 'speech',
    text: `Sentence number ${i + 1} of this script is about honey bees and their flowers.`,
    prosody: {},
    line: i + 3,
    col: 1,
  }));
  return { file: 'script.md', meta: {}, scenes: [{ index: 0, title: 'Bees', line: 1, items }], warnings: [] };
}

describe('the narration output budget', () => {
  for (const concurrency of [1, 2]) {
    it(`stops espeak-ng within one clip per lane of a 5 s budget and removes what it wrote (${concurrency} at once)`, async () => {
      const workDir = join(dir, 'parts');
      const outPath = join(dir, 'narration.wav');
      const { synthesizer, seen } = watchedEspeak(workDir);
      const budget = new OutputBudget(5000, NARRATION_FORMAT);

      const error = await synthesizeNarration({
        document: thirtySentences(),
        synthesizer,
        voiceFor: () => 'en-us+f3',
        workDir,
        outPath,
        concurrency,
        maxDurationMs: 5000,
      }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SpeechError);
      expect((error as SpeechError).kind).toBe('over-budget');
      expect((error as SpeechError).message).toMatch(
        /^script\.md:\d+:1: the narration passed its budget of 5 s/,
      );
      // Stopped early: a few clips, not thirty; never more on disk than the budget and one clip a lane.
      expect(seen.calls).toBeLessThan(6);
      expect(seen.peakBytes).toBeGreaterThan(0);
      expect(seen.peakBytes).toBeLessThanOrEqual(budget.limitBytes + concurrency * seen.largestClip);
      // Nothing is left: no clip, no narration.
      expect(existsSync(workDir)).toBe(false);
      expect(existsSync(outPath)).toBe(false);
    });
  }

  it('stops a synthesis under way at once when another one passes the budget', async () => {
    // From the third sentence on, the engine takes ten seconds a sentence (a long Azure chunk, a slow
    // Mac) unless its signal stops it, as the real engines' processes and requests are stopped.
    const espeak = createEspeakSynthesizer();
    let calls = 0;
    // The second clip, whose size passes the budget, is handed back only once the third is under way
    // (the first one's lane took it): otherwise the third may not have started when the budget passes.
    let thirdStarted: () => void = () => undefined;
    const third = new Promise<void>((resolve) => {
      thirdStarted = resolve;
    });
    const slowAfterTwo: SpeechSynthesizer = {
      ...espeak,
      async synthesizeToWav(request, outPath, signal) {
        const call = ++calls;
        if (call === 2) {
          const spoken = await espeak.synthesizeToWav(request, outPath, signal);
          await new Promise<void>((resolve) => {
            void third.then(resolve);
            signal?.addEventListener('abort', () => resolve());
          });
          return spoken;
        }
        if (call > 2) {
          if (call === 3) thirdStarted();
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 10_000);
            signal?.addEventListener('abort', () => {
              clearTimeout(timer);
              resolve();
            });
          });
          signal?.throwIfAborted();
        }
        return espeak.synthesizeToWav(request, outPath, signal);
      },
    };
    const started = Date.now();
    const error = await synthesizeNarration({
      document: thirtySentences(),
      synthesizer: slowAfterTwo,
      voiceFor: () => 'en-us+f3',
      workDir: join(dir, 'parts'),
      outPath: join(dir, 'narration.wav'),
      concurrency: 2,
      maxDurationMs: 5000,
    }).catch((e: unknown) => e);
    expect((error as SpeechError).kind).toBe('over-budget');
    expect(calls).toBe(3);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(existsSync(join(dir, 'parts'))).toBe(false);
  });

  it('refuses before writing a narration whose repeated lines add up past the budget', async () => {
    // One short clip, spoken forty times: synthesis stays under budget, the whole would not.
    const items: Utterance[] = Array.from({ length: 40 }, (_, i) => ({
      kind: 'speech',
      text: 'Bees dance.',
      prosody: {},
      line: i + 3,
      col: 1,
    }));
    const document: ScriptDocument = {
      file: 'script.md',
      meta: {},
      scenes: [{ index: 0, title: 'Bees', line: 1, items }],
      warnings: [],
    };
    const workDir = join(dir, 'parts');
    const outPath = join(dir, 'narration.wav');
    const { synthesizer, seen } = watchedEspeak(workDir);
    const error = await synthesizeNarration({
      document,
      synthesizer,
      voiceFor: () => 'en-us+f3',
      workDir,
      outPath,
      maxDurationMs: 5000,
    }).catch((e: unknown) => e);
    expect(seen.calls).toBe(1);
    expect((error as SpeechError).kind).toBe('over-budget');
    expect((error as SpeechError).message).toMatch(
      /^script\.md:\d+:1: the narration would last \d+ s, past its budget of 5 s; it was not written/,
    );
    expect(existsSync(outPath)).toBe(false);
    expect(existsSync(workDir)).toBe(false);
  });

  it('lets a narration within its budget through', async () => {
    const document = thirtySentences();
    document.scenes[0]?.items.splice(3);
    const narration = await synthesizeNarration({
      document,
      synthesizer: createEspeakSynthesizer(),
      voiceFor: () => 'en-us+f3',
      workDir: join(dir, 'parts'),
      outPath: join(dir, 'narration.wav'),
      maxDurationMs: 60_000,
    });
    expect(narration.durationMs).toBeGreaterThan(3000);
    expect(existsSync(join(dir, 'narration.wav'))).toBe(true);
  });
});

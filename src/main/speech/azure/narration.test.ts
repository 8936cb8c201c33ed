/**
 * Whole-script Azure narration with the real Speech SDK against the local fake service.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type FakeAzureRequest,
  type FakeAzureSpeech,
  startFakeAzureSpeech,
} from '../../../../test/fakes/azure-speech-server.ts';
import { addLogSink, type LogRecord } from '../../log/logger.ts';
import { parseScriptText } from '../../script/parser.ts';
import type { Scene, ScriptDocument, Utterance } from '../../script/types.ts';
import type { SpeechError } from '../errors.ts';
import { readWavHeader } from '../wav.ts';
import { createAzureSpeech } from './azure-speech.ts';
import { AzureSpeechError } from './errors.ts';
import { type AzureNarrationInput, synthesizeAzureNarration } from './narration.ts';

const KEY = 'narration-KEY-5e8d0c2a91f7';
const VOICE = { name: 'en-US-JennyNeural', language: 'en-US' };
const NOUNS = ['cats', 'rivers', 'engines', 'lanterns', 'maps'];
const FRAMES_PER_MS = 24;

let fake: FakeAzureSpeech;
let root: string;
let logs: LogRecord[];
let removeSink: () => void;

function say(text: string): Utterance {
  return { kind: 'speech', text, prosody: {}, line: 1, col: 1 };
}

/** 3 scenes of 10 sentences, 7 words each ("Scene 1 sentence 4 likes rivers today."). */
function longDocument(): ScriptDocument {
  const scenes: Scene[] = [0, 1, 2].map((s) => ({
    index: s,
    title: `Scene ${s}`,
    line: 1,
    items: Array.from({ length: 10 }, (_, u) => say(`Scene ${s} sentence ${u} likes ${NOUNS[u % 5]} today.`)),
  }));
  return { file: '/scripts/long.md', meta: {}, scenes, warnings: [] };
}

async function narrate(document: ScriptDocument, name: string, extra: Partial<AzureNarrationInput> = {}) {
  const speech = createAzureSpeech({ key: KEY, host: fake.url, sleep: async () => {} });
  const outPath = join(root, name, 'narration.wav');
  const narration = await synthesizeAzureNarration({
    document,
    voice: VOICE,
    speech,
    workDir: join(root, name, 'work'),
    outPath,
    ...extra,
  });
  return { narration, outPath };
}

function sceneOf(request: FakeAzureRequest): number[] {
  return [...new Set([...request.ssml.matchAll(/Scene (\d)/g)].map((m) => Number(m[1])))];
}

beforeAll(async () => {
  fake = await startFakeAzureSpeech();
  root = await mkdtemp(join(tmpdir(), 'vf-azure-narration-'));
});
afterAll(async () => {
  await fake.close();
  await rm(root, { recursive: true, force: true });
});
beforeEach(() => {
  for (const name of Object.keys(process.env)) if (name.startsWith('AZURE_')) vi.stubEnv(name, undefined);
  fake.setBehaviour('ok');
  fake.requests.length = 0;
  logs = [];
  removeSink = addLogSink((record) => logs.push(record));
});
afterEach(() => {
  removeSink();
  expect(JSON.stringify(logs)).not.toContain(KEY);
});

describe('synthesizeAzureNarration', () => {
  it('splits a long script into requests per scene and joins their audio and word times exactly', async () => {
    const progress: number[] = [];
    const { narration, outPath } = await narrate(longDocument(), 'long', {
      maxChunkChars: 400,
      concurrency: 1,
      onProgress: (f) => progress.push(f),
    });
    const requests = [...fake.requests];
    expect(requests.length).toBeGreaterThanOrEqual(6);
    for (const request of requests) {
      expect(request.ssml.length).toBeLessThanOrEqual(400);
      expect(sceneOf(request)).toHaveLength(1);
    }

    // Audio: each scene's chunks back to back, 400 ms of silence between scenes, nothing re-encoded.
    const gap = Buffer.alloc(400 * FRAMES_PER_MS * 2);
    const expectedPcm = Buffer.concat(
      [0, 1, 2].flatMap((s) => [
        ...(s > 0 ? [gap] : []),
        ...requests.filter((r) => sceneOf(r)[0] === s).map((r) => r.audio),
      ]),
    );
    const header = await readWavHeader(outPath);
    expect(header).toMatchObject({ sampleRate: 24_000, channels: 1, frameCount: expectedPcm.length / 2 });
    expect((await readFile(outPath)).subarray(header.dataOffset).equals(expectedPcm)).toBe(true);
    expect(narration).toMatchObject({ sampleRate: 24_000, frameCount: expectedPcm.length / 2 });
    expect(narration.durationMs).toBe(expectedPcm.length / 2 / FRAMES_PER_MS);

    // Words: what the fake sent, offset by where its chunk starts.
    let chunkStartMs = 0;
    let previousScene = 0;
    const expectedWords = requests.flatMap((request) => {
      const scene = sceneOf(request)[0] as number;
      if (scene !== previousScene) chunkStartMs += 400;
      previousScene = scene;
      const words = request.words.map((w) => ({
        text: w.text,
        startMs: chunkStartMs + w.offsetTicks / 10_000,
        endMs: chunkStartMs + (w.offsetTicks + w.durationTicks) / 10_000,
      }));
      chunkStartMs += request.audio.length / 2 / FRAMES_PER_MS;
      return words;
    });
    expect(narration.words.map(({ cueIndex: _, ...word }) => word)).toEqual(expectedWords);
    expect(narration.words).toHaveLength(30 * 7);
    for (let i = 1; i < narration.words.length; i++) {
      expect(narration.words[i]?.startMs).toBeGreaterThan(narration.words[i - 1]?.startMs as number);
    }

    // Cues: one per sentence, from its first word's start to its last word's end.
    const sentences = longDocument().scenes.flatMap((s) => s.items as Utterance[]);
    expect(narration.cues.map((c) => c.text)).toEqual(sentences.map((u) => u.text));
    narration.cues.forEach((cue, i) => {
      const own = narration.words.filter((w) => w.cueIndex === i);
      expect(own.map((w) => w.text)).toEqual(cue.text.replace('.', '').split(' '));
      expect(cue).toMatchObject({ index: i, sceneIndex: Math.floor(i / 10) });
      expect([cue.startMs, cue.endMs]).toEqual([own[0]?.startMs, own.at(-1)?.endMs]);
    });

    // Scenes: contiguous, covering everything, each cut in the middle of its gap.
    expect(narration.scenes[0]?.startMs).toBe(0);
    expect(narration.scenes.at(-1)?.endMs).toBe(narration.durationMs);
    for (let i = 1; i < 3; i++) {
      const scene = narration.scenes[i];
      expect(scene?.startMs).toBe(narration.scenes[i - 1]?.endMs);
      const cuesBefore = narration.cues.filter((c) => c.sceneIndex === i - 1);
      expect(scene?.startMs).toBeGreaterThan(cuesBefore.at(-1)?.endMs as number);
      expect(scene?.startMs).toBeLessThan(narration.cues.find((c) => c.sceneIndex === i)?.startMs as number);
    }
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('gives the same result two requests at a time, and reuses chunks on a second run', async () => {
    const { narration: oneByOne } = await narrate(longDocument(), 'serial', {
      maxChunkChars: 400,
      concurrency: 1,
    });
    const { narration: parallel } = await narrate(longDocument(), 'parallel', { maxChunkChars: 400 });
    expect(parallel).toEqual(oneByOne);

    const requestsSoFar = fake.requests.length;
    const { narration: again } = await narrate(longDocument(), 'parallel', { maxChunkChars: 400 });
    expect(again).toEqual(oneByOne);
    expect(fake.requests.length).toBe(requestsSoFar);
  });

  it('sends markup typed in the script as escaped text, spoken literally', async () => {
    const text = `# One\n\nTom & Jerry say "hi" to <b>bold</b> friends. Type <break time="9s"/> now, it's 5 < 6.\n`;
    const parsed = parseScriptText(text, join(root, 'escape.md'));
    if (!parsed.ok) throw new Error('script did not parse');
    const { narration } = await narrate(parsed.document, 'escape');

    const [request] = fake.requests;
    expect(request?.ssml).toContain('Tom &amp; Jerry say &quot;hi&quot; to &lt;b&gt;bold&lt;/b&gt; friends.');
    expect(request?.ssml).toContain('Type &lt;break time=&quot;9s&quot;/&gt; now, it&apos;s 5 &lt; 6.');
    expect(request?.ssml.match(/<break/g)).toBeNull();
    // Spoken as words, not as a 9 s pause: 100 ms lead + 14 words of 400 ms.
    expect(narration.durationMs).toBe(100 + 14 * 400);
    expect(narration.cues.map((c) => c.text)).toEqual([
      'Tom & Jerry say "hi" to <b>bold</b> friends.',
      `Type <break time="9s"/> now, it's 5 < 6.`,
    ]);
    const wordsOf = (cue: number) => narration.words.filter((w) => w.cueIndex === cue).map((w) => w.text);
    expect(wordsOf(0)).toEqual(['Tom', 'Jerry', 'say', 'hi', 'to', 'b>bold</b', 'friends']);
    expect(wordsOf(1)).toEqual(['Type', 'break', 'time="9s', 'now', "it's", '5', '6']);
  });

  it('has a fake that refuses unescaped text, so the escaping test above can fail', async () => {
    const speech = createAzureSpeech({ key: KEY, host: fake.url });
    const raw = '<speak version="1.0"><voice name="x">Tom & Jerry</voice></speak>';
    await expect(speech.synthesizeSsml(raw, join(root, 'raw.wav'))).rejects.toMatchObject({
      kind: 'invalid-ssml',
    });
  });

  it('narrates pauses beyond what one request may hold as requests of their own, in order', async () => {
    const pause = { kind: 'pause' as const, ms: 5000, line: 2, col: 1 };
    const items = [say('Start here.'), ...Array.from({ length: 20 }, () => pause), say('End here.')];
    const document: ScriptDocument = {
      file: '/scripts/pauses.md',
      meta: {},
      scenes: [{ index: 0, title: 'A', line: 1, items }],
      warnings: [],
    };
    const { narration } = await narrate(document, 'pauses');
    expect(fake.requests.length).toBeGreaterThan(1);
    const breaksOf = (ssml: string) =>
      [...ssml.matchAll(/<break time="(\d+)ms"\/>/g)].reduce((sum, [, ms]) => sum + Number(ms), 0);
    for (const request of fake.requests) expect(breaksOf(request.ssml)).toBeLessThanOrEqual(60_000);
    expect(fake.requests.reduce((sum, r) => sum + breaksOf(r.ssml), 0)).toBe(100_000);
    expect(narration.cues.map((c) => c.text)).toEqual(['Start here.', 'End here.']);
    const [start, end] = narration.cues;
    expect((end?.startMs ?? 0) - (start?.endMs ?? 0)).toBeGreaterThanOrEqual(100_000);
  });

  it('gives a scene with nothing to say its pauses (or a default length) of silence', async () => {
    const document: ScriptDocument = {
      file: '/scripts/quiet.md',
      meta: {},
      scenes: [
        { index: 0, title: 'A', line: 1, items: [say('Hello there.')] },
        { index: 1, title: 'B', line: 3, items: [{ kind: 'pause', ms: 1000, line: 4, col: 1 }] },
        { index: 2, title: 'C', line: 5, items: [] },
        { index: 3, title: 'D', line: 7, items: [say('Bye now.')] },
      ],
      warnings: [],
    };
    const { narration } = await narrate(document, 'quiet', { sceneGapMs: 200, emptySceneMs: 1500 });
    expect(fake.requests).toHaveLength(2);
    const spoken = 100 + 2 * 400;
    // Each cut sits in the middle of its 200 ms gap.
    expect(narration.scenes).toEqual([
      { index: 0, startMs: 0, endMs: spoken + 100 },
      { index: 1, startMs: spoken + 100, endMs: spoken + 100 + 100 + 1000 + 100 },
      { index: 2, startMs: spoken + 1300, endMs: spoken + 1300 + 100 + 1500 + 100 },
      { index: 3, startMs: spoken + 3000, endMs: spoken + 3000 + 100 + spoken },
    ]);
    expect(narration.durationMs).toBe(spoken * 2 + 3 * 200 + 1000 + 1500);
  });

  it('stops on an auth failure with the error kind intact and no file, and keeps the key out of its files', async () => {
    fake.setBehaviour('reject-401');
    const error = await narrate(longDocument(), 'denied', { maxChunkChars: 400 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureSpeechError);
    expect((error as AzureSpeechError).kind).toBe('auth');
    expect((error as Error).message).not.toContain(KEY);
    await expect(stat(join(root, 'denied', 'narration.wav'))).rejects.toThrow(/ENOENT/);

    fake.setBehaviour('ok');
    await narrate(longDocument(), 'files', { maxChunkChars: 400 });
    const work = join(root, 'files', 'work');
    for (const name of await readdir(work)) {
      expect((await readFile(join(work, name))).includes(KEY)).toBe(false);
    }
  });

  it('is cancelled by the signal and leaves no narration behind', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const run = narrate(longDocument(), 'cancelled', {
      maxChunkChars: 400,
      signal: controller.signal,
      onProgress: () => controller.abort(reason),
    });
    await expect(run).rejects.toSatisfy((e) => e === reason || (e as AzureSpeechError).kind === 'cancelled');
    await expect(stat(join(root, 'cancelled', 'narration.wav'))).rejects.toThrow(/ENOENT/);
  });

  it('stops at its output budget within one chunk, and removes the chunks it wrote', async () => {
    // The folder is shared by every narration: another's chunk stays.
    const work = join(root, 'over-budget', 'work');
    await mkdir(work, { recursive: true });
    await writeFile(join(work, 'azure-another.wav'), 'spoken for another script');
    // About 84 s of audio in 400-character requests; the budget is 20 s.
    const error = await narrate(longDocument(), 'over-budget', {
      maxChunkChars: 400,
      concurrency: 1,
      maxDurationMs: 20_000,
    }).catch((e: unknown) => e);
    expect((error as SpeechError).kind).toBe('over-budget');
    expect((error as Error).message).toMatch(
      /^\/scripts\/long\.md:1:1: the narration passed its budget of 20 s/,
    );
    const requested = fake.requests.map((r) => r.audio.length);
    const largest = Math.max(...requested);
    expect(requested.length).toBeLessThan(6);
    // What was asked for before the stop: under the budget plus the chunk that passed it.
    expect(requested.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000 * FRAMES_PER_MS * 2 + largest);
    expect(await readdir(work)).toEqual(['azure-another.wav']);
    await expect(stat(join(root, 'over-budget', 'narration.wav'))).rejects.toThrow(/ENOENT/);
  });
});

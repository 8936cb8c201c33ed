/**
 * Acceptance (caption styles): a video preset names the "bold-highlight" caption style, and `vfo render`
 * makes a video whose frames show the spoken word lit up, moving along the caption as the words are
 * said — timed by the offline voice's estimated word timings, and by the word boundaries Azure sends
 * (the real Speech SDK against the local fake).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/main/db/open.ts';
import { getVideoPreset, saveVideoPreset, type VideoPresetInput } from '../src/main/library/index.ts';
import { type FakeAzureSpeech, startFakeAzureSpeech } from './fakes/azure-speech-server.ts';
import { frameAt, probeMedia } from './support/media.ts';
import { runVfo, tempDir } from './support/vfo.ts';

const AZURE_KEY = 'azure-caption-key-0c2b4a6e8f0d2c4f';
const TICKS_PER_MS = 10_000;
const SCRIPT = `---
title: Bees
---

# Bees

Bees talk with their bodies every day. A dance says where flowers are.
`;

interface JobSummary {
  id: string;
  status: string;
  output: string;
  warnings: string[];
  artifacts: { name: string; path: string }[];
}

interface Timings {
  cues: { index: number; text: string; startMs: number; endMs: number }[];
  words: { text: string; startMs: number; endMs: number; cueIndex: number }[];
}

let dir: { path: string; remove(): Promise<void> };
let azure: FakeAzureSpeech;
const data = () => join(dir.path, 'data');

async function render(name: string, extra: string[], env: NodeJS.ProcessEnv = {}): Promise<JobSummary> {
  const script = join(dir.path, `${name}.md`);
  await writeFile(script, SCRIPT);
  const result = await runVfo(
    [
      'render',
      script,
      '--video-preset',
      'shorts-preview',
      '--out',
      join(dir.path, 'out'),
      '--json',
      ...extra,
    ],
    { VFO_DATA_DIR: data(), ...env },
  );
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(0);
  const job = (JSON.parse(result.stdout) as JobSummary[])[0] as JobSummary;
  expect(job.status).toBe('done');
  return job;
}

async function artifact(job: JobSummary, name: string): Promise<string> {
  return readFile(job.artifacts.find((a) => a.name === name)?.path as string, 'utf8');
}

/** Where the highlight colour (#FFD400) is in a 320-wide frame of the video at `seconds`. */
async function litRegion(video: string, seconds: number) {
  const rgb = await frameAt(video, seconds);
  const width = 320;
  let count = 0;
  let sumX = 0;
  let sumY = 0;
  let left = width;
  let right = -1;
  for (let i = 0; i + 2 < rgb.length; i += 3) {
    const [r, g, b] = [rgb[i] as number, rgb[i + 1] as number, rgb[i + 2] as number];
    if (!(r > 200 && g > 160 && g < 240 && b < 90)) continue;
    const x = (i / 3) % width;
    count++;
    sumX += x;
    sumY += Math.floor(i / 3 / width);
    left = Math.min(left, x);
    right = Math.max(right, x);
  }
  return { count, x: sumX / count, y: sumY / count, left, right };
}

beforeAll(async () => {
  dir = await tempDir('vfo-caption-styles-');
  azure = await startFakeAzureSpeech({ acceptKey: AZURE_KEY });
  const database = openDatabase(data());
  try {
    const { id: _id, updatedAt: _u, ...portrait } = getVideoPreset(database.db, 'portrait-1080p');
    saveVideoPreset(database.db, {
      ...(portrait as VideoPresetInput),
      slug: 'shorts-preview',
      name: 'Shorts, quick preview',
      encoders: ['libx264'],
      width: 360,
      height: 640,
      fps: 25,
      crf: 28,
      speedPreset: 'ultrafast',
      captionStyle: 'bold-highlight',
    });
  } finally {
    database.close();
  }
}, 60_000);

afterAll(async () => {
  await azure?.close();
  await dir?.remove();
});

describe('a video preset with the bold-highlight caption style', () => {
  it('lights each word as the offline voice says it: the lit word moves along the caption', async () => {
    const job = await render('offline', []);
    expect(await probeMedia(job.output)).toMatchObject({ width: 360, height: 640 });
    const timings = JSON.parse(await artifact(job, 'timings')) as Timings;
    const first = timings.words.filter((word) => word.cueIndex === 0);
    expect(first.map((word) => word.text)).toEqual('Bees talk with their bodies every day.'.split(' '));
    const middle = (word: number) => ((first[word]?.startMs ?? 0) + (first[word]?.endMs ?? 0)) / 2000;
    // Two lines: "BEES TALK WITH THEIR" / "BODIES EVERY DAY." ("talk" and "with" side by side).
    const talk = await litRegion(job.output, middle(1));
    const withWord = await litRegion(job.output, middle(2));
    const every = await litRegion(job.output, middle(5));
    for (const lit of [talk, withWord, every]) expect(lit.count).toBeGreaterThan(30);
    expect(withWord.left).toBeGreaterThan(talk.right);
    expect(Math.abs(withWord.y - talk.y)).toBeLessThan(4);
    expect(every.y).toBeGreaterThan(talk.y + 8);
    // Between the two sentences no caption is shown, so nothing is lit.
    const [one, two] = timings.cues;
    expect(await litRegion(job.output, ((one?.endMs ?? 0) + (two?.startMs ?? 0)) / 2000)).toMatchObject({
      count: 0,
    });
  });

  it('lights each word at the word boundary Azure reported for it', async () => {
    const job = await render('azure', ['--voice', 'azure-en-jenny'], {
      AZURE_SPEECH_KEY: AZURE_KEY,
      AZURE_SPEECH_HOST: azure.url,
    });
    expect(job.warnings).toEqual([]);
    const reported = azure.requests[0]?.words ?? [];
    expect(reported.map((word) => word.text).slice(0, 4)).toEqual(['Bees', 'talk', 'with', 'their']);
    // The first chunk starts the narration: a reported offset is a narration time.
    const startMs = (word: number) => (reported[word]?.offsetTicks ?? 0) / TICKS_PER_MS;
    const ass = await artifact(job, 'ass');
    const lit = ass
      .split('\n')
      .filter((line) => line.startsWith('Dialogue: '))
      .map((line) => ({ start: line.split(',')[1], word: /\{\\1c[^}]*\}([^{]*)\{\\r\}/.exec(line)?.[1] }));
    for (const [i, expected] of ['BEES', 'TALK', 'WITH', 'THEIR'].entries()) {
      const event = lit.find((e) => e.word === expected);
      const centis = Math.round(startMs(i) / 10);
      expect(event?.start, expected).toBe(
        `0:00:${String(Math.floor(centis / 100)).padStart(2, '0')}.${String(centis % 100).padStart(2, '0')}`,
      );
    }
    // On the frames: 150 ms into each reported word, that word is the lit one.
    const regions = await Promise.all(
      [1, 2, 3].map((word) => litRegion(job.output, (startMs(word) + 150) / 1000)),
    );
    for (const region of regions) expect(region.count).toBeGreaterThan(30);
    const [talk, withWord, their] = regions as [
      (typeof regions)[0],
      (typeof regions)[0],
      (typeof regions)[0],
    ];
    expect(withWord.left).toBeGreaterThan(talk.right);
    expect(their.left).toBeGreaterThan(withWord.right);
  });
});

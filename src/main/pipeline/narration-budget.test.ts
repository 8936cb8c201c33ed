/**
 * The narration step's output budget in the real engine, real espeak-ng and real SQLite. The budget
 * is data: a recipe's narration step may set `with: { maxSeconds }` (here a 3-second one, which the
 * script check's 6-hour limit does not see), so the step meets a script longer than its budget.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OpenedDatabase, openDatabase } from '../db/open.ts';
import type { Pipeline } from '../db/schema.ts';
import { BlobStore } from '../engine/blob-store.ts';
import { insertTestRecipe } from '../engine/engine.fixture.ts';
import { Engine } from '../engine/engine.ts';
import { resourcesDir } from '../paths.ts';
import { envSecretStore } from '../secrets/secret-store.ts';
import { createDefaultServices, ffmpegService } from './default-services.ts';
import { builtinHandlers } from './index.ts';

let dir: string;
let database: OpenedDatabase;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vf-narration-budget-'));
  database = openDatabase(join(dir, 'data'));
});
afterEach(async () => {
  database.close();
  await rm(dir, { recursive: true, force: true });
});

const SHORT_CLIPS: Pipeline = {
  steps: [
    { key: 'script', kind: 'script.parse', dependsOn: [] },
    { key: 'narration', kind: 'speech.synthesize', dependsOn: ['script'], with: { maxSeconds: 3 } },
  ],
};

function addRecipe(pipeline: Pipeline): void {
  insertTestRecipe(database, 'short-clips', pipeline, 'Short clips');
}

/** The real engine on the real pipeline steps; the offline voice is the real one, counted. */
function engineWithCountedVoice() {
  const dataDir = join(dir, 'data');
  const blobs = new BlobStore(dataDir);
  const services = createDefaultServices({
    db: database.db,
    dataDir,
    resourcesDir: resourcesDir(),
    blobs,
    secrets: envSecretStore(),
    ffmpeg: ffmpegService({ resourcesDir: resourcesDir(), cacheDir: join(dataDir, 'cache') }),
  });
  const spoken = { sentences: 0 };
  const counted = {
    ...services,
    async offlineSynthesizer() {
      const voice = await services.offlineSynthesizer();
      return {
        ...voice,
        synthesizeToWav: (...args: Parameters<typeof voice.synthesizeToWav>) => {
          spoken.sentences++;
          return voice.synthesizeToWav(...args);
        },
      };
    },
  };
  const engine = new Engine({
    dataDir,
    database,
    blobs,
    // The steps these recipes run: a recipe of them makes no video, which a build that can encode refuses.
    handlers: new Map(
      [...builtinHandlers(counted, database.db)].filter(([kind]) => /^(script|speech)\./.test(kind)),
    ),
    backoffMs: () => 5,
  });
  return { engine, spoken };
}

/** Files (not folders) under root, relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
}

/** A script of twenty sentences: longer than a budget of a few seconds. */
async function twentyBeesScript(): Promise<string> {
  const script = join(dir, 'bees.md');
  const sentences = Array.from({ length: 20 }, (_, i) => `Bee number ${i + 1} dances for her sisters.`);
  await writeFile(script, `# Bees\n\n${sentences.join('\n\n')}\n`);
  return script;
}

describe('the narration step over its budget', () => {
  it('stops at once, fails for good without a retry, says why, and leaves no audio anywhere', async () => {
    addRecipe(SHORT_CLIPS);
    const script = await twentyBeesScript();
    const { engine, spoken } = engineWithCountedVoice();
    const { job } = engine.createJob({
      recipe: 'short-clips',
      input: { kind: 'script', scriptPath: script, outputPath: join(dir, 'bees.mp4') },
    });

    const done = await engine.run(job.id);

    expect(done.status).toBe('failed');
    const narration = engine.store.steps(job.id).find((s) => s.stepKey === 'narration');
    expect(narration).toMatchObject({ status: 'failed', errorKind: 'invalid-input', attempts: 1 });
    expect(narration?.lastError).toMatch(/bees\.md:\d+:\d+: the narration passed its budget of 3 s/);
    // Stopped early: a couple of sentences of twenty were spoken (two lanes), not all of them.
    expect(spoken.sentences).toBeLessThan(6);
    const data = await filesUnder(join(dir, 'data'));
    expect(data.filter((name) => /\.wav/.test(name))).toEqual([]);
    expect(data.filter((name) => name.startsWith('work'))).toEqual([]);
    // The only blob is the parsed script: no narration was stored.
    expect(engine.store.jobArtifacts(job.id).map((a) => a.type)).toEqual(['script']);
  });

  // Found by attacking budgets: a narration of 253 s for a preset of 60 s was spoken whole (and paid
  // for, with Azure) before the plan step refused it.
  it('stops at the longest video the video preset allows, and says so', async () => {
    addRecipe({ steps: SHORT_CLIPS.steps.map(({ with: _, ...step }) => step) });
    database.db.$client
      .prepare(`UPDATE video_presets SET max_duration_seconds = 3 WHERE slug = 'preview-360p'`)
      .run();
    const script = await twentyBeesScript();
    const { engine, spoken } = engineWithCountedVoice();
    const { job } = engine.createJob({
      recipe: 'short-clips',
      videoPreset: 'preview-360p',
      input: { kind: 'script', scriptPath: script, outputPath: join(dir, 'bees.mp4') },
    });
    expect((await engine.run(job.id)).status).toBe('failed');
    const narration = engine.store.steps(job.id).find((s) => s.stepKey === 'narration');
    expect(narration).toMatchObject({ status: 'failed', errorKind: 'invalid-input', attempts: 1 });
    expect(narration?.lastError).toMatch(
      /the narration passed its budget of 3 s .*\(the video preset "preview-360p" allows at most 3 s\)$/,
    );
    expect(spoken.sentences).toBeLessThan(6);
  });

  it('is not reached by a script past the 6-hour limit: the script step refuses it first, located', async () => {
    // What a script Claude wrote meets: no CLI check ran before the job.
    addRecipe(SHORT_CLIPS);
    const script = join(dir, 'long.md');
    const paragraph = Array(6).fill('The waggle dance tells the other bees how far away the flowers are.');
    const chapters = Array.from({ length: 100 }, (_, i) =>
      [`# Chapter ${i + 1}`, ...Array(10).fill(paragraph.join(' '))].join('\n\n'),
    );
    await writeFile(script, chapters.join('\n\n'));
    const { engine, spoken } = engineWithCountedVoice();
    const { job } = engine.createJob({
      recipe: 'short-clips',
      input: { kind: 'script', scriptPath: script, outputPath: join(dir, 'long.mp4') },
    });
    expect((await engine.run(job.id)).status).toBe('failed');
    const step = engine.store.steps(job.id).find((s) => s.stepKey === 'script');
    expect(step).toMatchObject({ status: 'failed', errorKind: 'invalid-input', attempts: 1 });
    expect(step?.lastError).toMatch(/long\.md:\d+:\d+: error: the narration would last about 6 h \d+ min/);
    expect(spoken.sentences).toBe(0);
  });

  it('narrates a script within its budget', async () => {
    addRecipe(SHORT_CLIPS);
    const script = join(dir, 'bee.md');
    await writeFile(script, '# Bees\n\nBees dance.\n');
    const { engine } = engineWithCountedVoice();
    const { job } = engine.createJob({
      recipe: 'short-clips',
      input: { kind: 'script', scriptPath: script, outputPath: join(dir, 'bee.mp4') },
    });
    expect((await engine.run(job.id)).status).toBe('done');
    expect(
      engine.store
        .jobArtifacts(job.id)
        .map((a) => a.type)
        .sort(),
    ).toEqual(['audio', 'script', 'timings']);
  });
});

import { mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OpenedDatabase, openDatabase } from '../db/open.ts';
import { insertTestRecipe } from '../engine/engine.fixture.ts';
import { Engine } from '../engine/engine.ts';
import { resolveSettings } from '../engine/settings-resolver.ts';
import { registryOf, type StepHandler } from '../engine/step-handler.ts';
import { resourcesDir } from '../paths.ts';
import type { ScriptDocument } from '../script/types.ts';
import { scriptParseStep } from './script-step.ts';

let dir: string;
let database: OpenedDatabase;
let script: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-script-step-'));
  database = openDatabase(join(dir, 'data'));
  insertTestRecipe(database, 'parse-only', {
    steps: [{ key: 'script', kind: 'script.parse', dependsOn: [] }],
  });
  script = join(dir, 'talk.md');
});
afterEach(async () => {
  database.close();
  await rm(dir, { recursive: true, force: true });
});

/** An engine whose parse step runs `beforeRun` first (once): the user saving the script meanwhile. */
function engineWith(beforeRun: () => Promise<void>): Engine {
  const parse = scriptParseStep({ dataDir: join(dir, 'data'), resourcesDir: resourcesDir() });
  let runs = 0;
  const handler: StepHandler = {
    ...parse,
    async run(ctx) {
      if (runs++ === 0) await beforeRun();
      return parse.run(ctx);
    },
  };
  return new Engine({
    dataDir: join(dir, 'data'),
    database,
    handlers: registryOf([handler]),
    maxAttempts: 3,
    backoffMs: () => 5,
  });
}

async function parsedDocument(engine: Engine): Promise<{ document: ScriptDocument; reused: boolean }> {
  const { job } = engine.createJob({
    recipe: 'parse-only',
    input: { kind: 'script', scriptPath: script, outputPath: join(dir, 'talk.mp4') },
  });
  await engine.run(job.id);
  const step = engine.store.steps(job.id)[0];
  const file = step && engine.store.outputOf(step)?.files.document;
  if (!file) throw new Error(`the parse step stored nothing (${engine.store.getJob(job.id)?.error})`);
  const document = JSON.parse(await readFile(file.path, 'utf8')) as ScriptDocument;
  return { document, reused: step.reusedFrom !== null };
}

async function parsedText(engine: Engine): Promise<{ text: string; reused: boolean }> {
  const { document, reused } = await parsedDocument(engine);
  const first = document.scenes[0]?.items[0];
  return { text: first?.kind === 'speech' ? first.text : '', reused };
}

describe('the script parse step', () => {
  // Found by a review that saved a script in a loop during renders: version B's words were stored
  // under version A's hash, and every later render of A reused them.
  it('stores a script saved while it was read under the hash of what it parsed', async () => {
    await writeFile(script, '# A\n\nAlpha words here.\n');
    const engine = engineWith(() => writeFile(script, '# A\n\nBravo words here.\n'));
    expect(await parsedText(engine)).toEqual({ text: 'Bravo words here.', reused: false });
    // Back to A: its own words, not the stored parse of B.
    await writeFile(script, '# A\n\nAlpha words here.\n');
    expect(await parsedText(engine)).toEqual({ text: 'Alpha words here.', reused: false });
    // And B again is the first job's parse, reused.
    await writeFile(script, '# A\n\nBravo words here.\n');
    expect(await parsedText(engine)).toEqual({ text: 'Bravo words here.', reused: true });
  });

  // Found by the same review: the parse named the old target, and the plan refused it as not found
  // in every render until the script itself was edited.
  it('parses again when the symlink a medium is named by points at another file', async () => {
    await writeFile(join(dir, 'a.png'), 'a');
    await writeFile(join(dir, 'b.png'), 'b');
    await symlink('a.png', join(dir, 'pic.png'));
    await writeFile(script, '# A\n\nHello there. [image pic.png]\n');
    const engine = engineWith(async () => undefined);
    const imageOf = ({ document }: { document: ScriptDocument }) => document.scenes[0]?.image?.path;
    expect(imageOf(await parsedDocument(engine))).toBe(join(await realpath(dir), 'a.png'));
    await rm(join(dir, 'pic.png'));
    await symlink('b.png', join(dir, 'pic.png'));
    const again = await parsedDocument(engine);
    expect({ image: imageOf(again), reused: again.reused }).toEqual({
      image: join(await realpath(dir), 'b.png'),
      reused: false,
    });
  });

  // Found by attacking the captions: \`vfo render\` printed these, and the job kept none of them.
  it('records with the job what the video cannot show, besides the script’s own warnings', async () => {
    await writeFile(script, '---\ntitle: Party 🎉\n---\n# A\n\nHello there.\n\n#### Too deep\n');
    const engine = engineWith(async () => undefined);
    const { job } = engine.createJob({
      recipe: 'parse-only',
      input: { kind: 'script', scriptPath: script, outputPath: join(dir, 'talk.mp4') },
    });
    const done = await engine.run(job.id);
    expect(done.warnings).toEqual([
      `${script}:8:1: warning: level-4 heading is not spoken and starts no scene`,
      expect.stringMatching(/talk\.md:1:1: warning: the title card and thumbnail cannot show "🎉"/),
    ]);
  });

  // Found by reviewing the job's warnings: a parse reused for a job of another caption font (another
  // video preset's style) gave it the first job's warnings about characters that font cannot draw.
  it('is not reused across settings its warnings read', () => {
    const step = scriptParseStep({ dataDir: join(dir, 'data'), resourcesDir: resourcesDir() });
    const input = { kind: 'script' as const, scriptPath: script, outputPath: join(dir, 'talk.mp4') };
    const configOf = (videoPreset: string) =>
      JSON.stringify(
        step.config({
          jobId: 'j',
          settings: resolveSettings(database.db, { input, videoPreset }),
          step: { key: 'script', kind: 'script.parse', dependsOn: [] },
          inputs: {},
        }),
      );
    expect(configOf('shorts-vertical')).not.toBe(configOf('landscape-1080p'));
  });
});

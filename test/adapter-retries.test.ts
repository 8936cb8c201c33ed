/**
 * A service that keeps failing is asked as many times as its adapter's own retries allow, not that many
 * times the engine's attempts. Found by attacking the adapters: Claude answering 529 got 12 requests
 * (the job said "gave up after 4 attempts"), and a dropped Azure connection 9 per chunk.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from './fakes/anthropic-server.ts';
import { type FakeAzureSpeech, startFakeAzureSpeech } from './fakes/azure-speech-server.ts';
import { runVfo, tempDir } from './support/vfo.ts';

const CLAUDE_KEY = 'sk-ant-test-0a1b2c3d4e5f60718293a4b5';
const AZURE_KEY = 'azure-test-key-9e8d7c6b5a4f3e2d1c0b';

let dir: { path: string; remove(): Promise<void> };
let claude: FakeAnthropic;
let azure: FakeAzureSpeech;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await tempDir('vfo-retries-');
  claude = await startFakeAnthropic();
  azure = await startFakeAzureSpeech({ acceptKey: AZURE_KEY });
  env = {
    VFO_DATA_DIR: join(dir.path, 'data'),
    ANTHROPIC_API_KEY: CLAUDE_KEY,
    ANTHROPIC_BASE_URL: claude.url,
    AZURE_SPEECH_KEY: AZURE_KEY,
    AZURE_SPEECH_HOST: azure.url,
  };
});

afterAll(async () => {
  await claude?.close();
  await azure?.close();
  await dir?.remove();
});

it('asks an overloaded Claude only as often as its own retries allow', async () => {
  for (let i = 0; i < 12; i++)
    claude.enqueue({ kind: 'error', status: 529, headers: { 'retry-after': '0' } });
  const result = await runVfo(
    ['render', '--title', 'Bees', '--brief', 'The waggle dance.', '--out', join(dir.path, 'out')],
    env,
  );
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/Claude is overloaded \(529/);
  expect(result.stderr).toMatch(/after 4 attempts/i);
  expect(claude.requests).toHaveLength(4);
}, 60_000);

it('asks Azure for a chunk only as often as its own retries allow', async () => {
  azure.setBehaviour('drop-mid-synthesis');
  const script = join(dir.path, 'one.md');
  await writeFile(script, '# One\n\nA single short chunk of narration.\n');
  const result = await runVfo(
    ['render', script, '--voice', 'azure-en-jenny', '--out', join(dir.path, 'out')],
    env,
  );
  expect(result.code).toBe(1);
  expect(azure.requests).toHaveLength(3);
}, 60_000);

// Found by attacking the Azure adapter: the chunks an attempt had from Azure were kept in its own
// scratch folder, removed with it, and the next attempt paid for every chunk again.
it('asks Azure again only for the chunks the failed attempt did not get', async () => {
  const script = join(dir.path, 'two.md');
  await writeFile(script, '# One\n\nThe first scene is spoken.\n\n# Two\n\nThe second scene fails.\n');
  const render = () =>
    runVfo(['render', script, '--voice', 'azure-en-jenny', '--out', join(dir.path, 'out')], env);
  // One request per scene, two at a time: the first to arrive is spoken, the other keeps dropping.
  azure.setBehaviour('ok');
  azure.setBehaviour(['ok', 'drop-mid-synthesis', 'drop-mid-synthesis', 'drop-mid-synthesis']);
  const before = azure.requests.length;
  const failed = await render();
  expect(failed.code).toBe(1);
  expect(azure.requests.length - before).toBe(4);
  const spoken = azure.requests.slice(before).map((r) => r.ssml);
  const again = azure.requests.length;
  const done = await render();
  expect(done.code, done.stderr).toBe(0);
  const asked = azure.requests.slice(again).map((r) => r.ssml);
  // Which scene came first is the connections' race: the one asked once was spoken, the other thrice.
  const spokenOnce = spoken.filter((ssml) => spoken.indexOf(ssml) === spoken.lastIndexOf(ssml));
  expect(spokenOnce).toHaveLength(1);
  expect(asked).toHaveLength(1);
  expect(asked[0]).not.toBe(spokenOnce[0]);
  expect(spoken.filter((ssml) => ssml === asked[0])).toHaveLength(3);
}, 60_000);

// Found by attacking the speech path: the chunks were the job's own, so editing one scene of a script
// asked Azure again for every chunk of it (and changing one voice's name, for the others' too).
it('asks Azure only for the chunks an edit changed', async () => {
  azure.setBehaviour('ok');
  const script = join(dir.path, 'edited.md');
  const render = () =>
    runVfo(['render', script, '--voice', 'azure-en-jenny', '--out', join(dir.path, 'out')], env);
  await writeFile(
    script,
    '# One\n\nThe first scene stays as it is.\n\n# Two\n\nThe second scene is edited.\n',
  );
  const first = await render();
  expect(first.code, first.stderr).toBe(0);
  await writeFile(
    script,
    '# One\n\nThe first scene stays as it is.\n\n# Two\n\nThe second scene was edited.\n',
  );
  const before = azure.requests.length;
  const edited = await render();
  expect(edited.code, edited.stderr).toBe(0);
  const asked = azure.requests.slice(before).map((r) => r.ssml);
  expect(asked).toHaveLength(1);
  expect(asked[0]).toContain('second scene was edited');
}, 60_000);

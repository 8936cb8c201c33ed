/**
 * Acceptance: a script's media stay in the script's folder. `vfo check` and `vfo render` refuse
 * `[image ../secret.png]` with one located message whether the file exists or not, nothing of the
 * secret reaches the blob store, no job is made; and an image swapped for a symlink after the check
 * is not read when the plan step copies it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../src/main/engine/blob-store.ts';
import { sha256File } from '../src/main/util/hash.ts';
import { hasStackTrace, runVfo, tempDir } from './support/vfo.ts';

const run = promisify(execFile);
const SCRIPT = '# Scene\n\nHello there.\n[image ../secret.png]\n';
const EXPECTED = 'image not found: ../secret.png';

let dir: { path: string; remove(): Promise<void> };
let top: string;
let env: NodeJS.ProcessEnv;
let secretSha: string;
/** `<top>/with/secret.png` exists beside the script's folder; `<top>/without` has none. */
const scriptIn = (folder: 'with' | 'without') => join(top, folder, 'scripts', 'script.md');
const dataDir = () => join(top, 'data');

/** A real picture no bundled visual can share a checksum with. */
async function picture(path: string, colour: string): Promise<string> {
  await run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    `color=c=${colour}:s=64x36`,
    '-frames:v',
    '1',
    path,
  ]);
  return (await sha256File(path)).sha256;
}

function jobCount(): number {
  if (!existsSync(join(dataDir(), 'vfo.db'))) return 0;
  const db = new Database(join(dataDir(), 'vfo.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const secretStored = () => existsSync(new BlobStore(dataDir()).pathFor(secretSha));

beforeAll(async () => {
  dir = await tempDir('vfo-media-outside-');
  top = await realpath(dir.path);
  env = { VFO_DATA_DIR: dataDir() };
  for (const folder of ['with', 'without'] as const) {
    await mkdir(join(top, folder, 'scripts'), { recursive: true });
    await writeFile(scriptIn(folder), SCRIPT);
  }
  secretSha = await picture(join(top, 'with', 'secret.png'), '0x3a7d2c');
});
afterAll(async () => dir?.remove());

describe('a script naming a file outside its folder', () => {
  it('vfo check exits 2 with the same located message whether the file exists or not', async () => {
    const outputs = [];
    for (const folder of ['with', 'without'] as const) {
      const result = await runVfo(['check', scriptIn(folder)], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${scriptIn(folder)}:4:1: error: ${EXPECTED}`);
      expect(hasStackTrace(result.stderr)).toBe(false);
      outputs.push(result.stderr.replaceAll(scriptIn(folder), 'script.md'));
    }
    expect(outputs[0]).toBe(outputs[1]);
    expect(outputs[0]).toBe(`script.md:4:1: error: ${EXPECTED}\n`);
  });

  it('vfo render exits 2 the same way, makes no job and stores nothing of the secret', async () => {
    const outputs = [];
    for (const folder of ['with', 'without'] as const) {
      const out = join(top, 'out');
      const result = await runVfo(
        ['render', scriptIn(folder), '--out', out, '--video-preset', 'preview-360p'],
        env,
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${scriptIn(folder)}:4:1: error: ${EXPECTED}`);
      expect(result.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
      outputs.push(result.stderr.replaceAll(scriptIn(folder), 'script.md'));
    }
    expect(outputs[0]).toBe(outputs[1]);
    expect(jobCount()).toBe(0);
    expect(secretStored()).toBe(false);
  });
});

describe('an image swapped for a symlink after the check', () => {
  it('is not read when the plan step copies it', async () => {
    const folder = join(top, 'inside');
    await mkdir(folder);
    const script = join(folder, 'pictured.md');
    await writeFile(script, '# Scene\n\nA picture.\n[image pic.png]\n');
    const pictureSha = await picture(join(folder, 'pic.png'), '0x9a1b5e');
    const first = await runVfo(['render', script, '--video-preset', 'preview-360p', '--json'], env);
    expect(first.code).toBe(0);
    const [job] = JSON.parse(first.stdout) as { id: string }[];
    // The control: the real picture went into the blob store.
    expect(existsSync(new BlobStore(dataDir()).pathFor(pictureSha))).toBe(true);

    await rm(join(folder, 'pic.png'));
    await symlink(join(top, 'with', 'secret.png'), join(folder, 'pic.png'));
    const again = await runVfo(['jobs', 'retry', job?.id as string, '--from', 'plan', '--json'], env);
    // The script's own mistake, as `vfo render` would say it: invalid input.
    expect(again.code).toBe(2);
    const summary = JSON.parse(again.stdout) as {
      status: string;
      steps: { key: string; status: string; errorKind: string | null; error: string | null }[];
    };
    expect(summary.status).toBe('failed');
    // Refused at the parse now: its fingerprint sees where the picture lies, so the swap re-parses the
    // script before the plan step would open the file (media-path.test.ts shows the open's own check).
    expect(summary.steps.find((s) => s.status === 'failed')).toMatchObject({
      key: 'script',
      errorKind: 'invalid-input',
      error: `${script}:4:1: error: image not found: pic.png`,
    });
    expect(secretStored()).toBe(false);
  });
});

describe('a picture in a media root', () => {
  it('is checked, frozen into the job and rendered once the media.roots row names its folder', async () => {
    const shared = join(top, 'shared');
    await mkdir(shared);
    const logoSha = await picture(join(shared, 'logo.png'), '0x5e2a91');
    await mkdir(join(top, 'elsewhere'));
    const script = join(top, 'elsewhere', 'logo.md');
    await writeFile(script, `# Scene\n\nOur logo.\n[image ${join(shared, 'logo.png')}]\n`);
    const refused = await runVfo(['check', script], env);
    expect(refused.stderr).toContain(`${script}:4:1: error: image not found: ${join(shared, 'logo.png')}`);

    const db = new Database(join(dataDir(), 'vfo.db'));
    db.prepare("INSERT INTO settings (key, value) VALUES ('media.roots', ?)").run(JSON.stringify([shared]));
    db.close();
    const rendered = await runVfo(['render', script, '--video-preset', 'preview-360p'], env);
    expect(rendered.stderr).not.toMatch(/error/);
    expect(rendered.code).toBe(0);
    expect(existsSync(new BlobStore(dataDir()).pathFor(logoSha))).toBe(true);
  });
});

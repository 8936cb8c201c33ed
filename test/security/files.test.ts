/**
 * Farm trust 11 — files on disk. A node's data folder is created 0700 (and closed if it was open), its
 * private key is 0600, and a node refuses to start with a farm key others can read, with a message
 * naming the file and the fix (exit 2, no stack trace). The app's own farm key is made 0600.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateFarmKey } from '../../src/main/desktop/node-runtime.ts';
import { generateFarmKey } from '../../src/main/farm/net/index.ts';
import { type FarmKeyFile, makeFarmKey, startNode, stopFarm } from '../farm/farm-support.ts';
import { hasStackTrace, runVfo, tempDir } from '../support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

beforeAll(async () => {
  dir = await tempDir('vfo-files-');
  key = await makeFarmKey(dir.path);
});

afterAll(() => stopFarm(dir, key));

describe.skipIf(process.platform === 'win32')('files a node keeps', () => {
  it('creates its data folder 0700 and its private key 0600', async () => {
    const node = await startNode({
      root: dir.path,
      name: 'tango',
      key,
      dataDir: join(dir.path, 'new', 'tango'),
    });
    expect(await modeOf(node.dataDir)).toBe(0o700);
    expect(await modeOf(join(node.dataDir, 'node-key.pem'))).toBe(0o600);
  });

  it('closes a data folder others could read', async () => {
    const open = join(dir.path, 'open-data');
    await mkdir(open, { mode: 0o755 });
    const node = await startNode({ root: dir.path, name: 'uniform', key, dataDir: open });
    expect(await modeOf(node.dataDir)).toBe(0o700);
  });

  it('refuses a farm key others can read: exit 2, the file and the fix named, no stack trace', async () => {
    const loose = join(dir.path, 'loose.key');
    await writeFile(loose, `${generateFarmKey()}\n`, { mode: 0o644 });
    await writeFile(join(dir.path, 'x.md'), '# X\n\nHello.\n');
    for (const args of [
      ['node', '--farm-key-file', loose, '--data', join(dir.path, 'refused'), '--interface', '127.0.0.1'],
      ['submit', join(dir.path, 'x.md'), '--node', 'http://127.0.0.1:9', '--farm-key-file', loose],
    ]) {
      const result = await runVfo(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`the farm key file ${loose} can be read by other users (mode 644)`);
      expect(result.stderr).toContain(`chmod 600 ${loose}`);
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
  });

  it('the app makes its farm key 0600 and refuses one made readable later', async () => {
    const data = join(dir.path, 'app-data');
    await mkdir(data, { mode: 0o700 });
    await loadOrCreateFarmKey(data);
    const path = join(data, 'farm-key');
    expect(await modeOf(path)).toBe(0o600);
    const { chmod } = await import('node:fs/promises');
    await chmod(path, 0o644);
    await expect(loadOrCreateFarmKey(data)).rejects.toThrow(/can be read by other users/);
  });
});

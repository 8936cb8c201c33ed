/**
 * A worker killed mid-encode (kill -9, a power cut) leaves its lease's folder: the assets linked in
 * and a partial video up to its full size. Found by attacking a node: nothing ever removed them. The
 * next start does, before the node takes work.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../support/vfo.ts';
import { type FarmKeyFile, makeFarmKey, startNode, stopFarm } from './farm-support.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;

beforeAll(async () => {
  dir = await tempDir('vfo-leftovers-');
  key = await makeFarmKey(dir.path);
});
afterAll(() => stopFarm(dir, key));

it('a node removes what leases of a killed process left before it takes work', async () => {
  const lease = join(dir.path, 'sierra', 'farm', 'work', 'a'.repeat(32));
  await mkdir(lease, { recursive: true });
  await writeFile(join(lease, 'video.mp4.partial-123-abc'), Buffer.alloc(1024 * 1024));
  const node = await startNode({ root: dir.path, name: 'sierra', key });
  expect(existsSync(join(node.dataDir, 'farm', 'work'))).toBe(false);
});

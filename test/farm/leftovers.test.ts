/**
 * A worker killed mid-encode (kill -9, a power cut) leaves its lease's folder: the assets linked in
 * and a partial video up to its full size. Found by attacking a node: nothing ever removed them. The
 * next start does, before the node takes work. That start must be the only node on the folder: a
 * second `vfo node` on it removed the first one's live encodes (node-lock.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runVfo, tempDir } from '../support/vfo.ts';
import { type FarmKeyFile, makeFarmKey, type NodeProcess, startNode, stopFarm } from './farm-support.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let node: NodeProcess;

beforeAll(async () => {
  dir = await tempDir('vfo-leftovers-');
  key = await makeFarmKey(dir.path);
});
afterAll(() => stopFarm(dir, key));

it('a node removes what leases of a killed process left before it takes work', async () => {
  const lease = join(dir.path, 'sierra', 'farm', 'work', 'a'.repeat(32));
  await mkdir(lease, { recursive: true });
  await writeFile(join(lease, 'video.mp4.partial-123-abc'), Buffer.alloc(1024 * 1024));
  node = await startNode({ root: dir.path, name: 'sierra', key });
  expect(existsSync(join(node.dataDir, 'farm', 'work'))).toBe(false);
});

it('a second node on the same data folder is refused while the first lives, and removes nothing', async () => {
  const live = join(node.dataDir, 'farm', 'work', 'b'.repeat(32));
  await mkdir(live, { recursive: true });
  await writeFile(join(live, 'video.mp4.partial-456-def'), Buffer.alloc(1024));
  const second = await runVfo([
    ...['node', '--data', node.dataDir, '--name', 'sierra-too', '--farm-key-file', key.path],
    ...['--interface', '127.0.0.1'],
  ]);
  expect(second.code).toBe(1);
  expect(second.stderr).toContain(`another node (`);
  expect(second.stderr).toContain(`:${node.pid}) already serves the data folder`);
  expect(existsSync(join(live, 'video.mp4.partial-456-def'))).toBe(true);
  expect(node.exited()).toBe(false);
});

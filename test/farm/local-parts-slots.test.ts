/**
 * Acceptance (issue 15): the farm's placement counts a node's local parts as its slots — a node started
 * without --max-concurrency offers as many encode slots as the render.localParts setting gives parts.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/db/open.ts';
import { localPartsSetting } from '../../src/main/settings/index.ts';
import { tempDir } from '../support/vfo.ts';
import {
  destroyAllNodes,
  type FarmKeyFile,
  makeFarmKey,
  type NodeProcess,
  startNode,
  statusOf,
  until,
} from './farm-support.ts';

let root: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let node: NodeProcess;

beforeAll(async () => {
  root = await tempDir('vfo-parts-slots-');
  key = await makeFarmKey(root.path);
  const dataDir = join(root.path, 'solo');
  await mkdir(dataDir, { recursive: true });
  const database = openDatabase(dataDir);
  localPartsSetting.write(database.db, { parts: 3, minSegmentSeconds: 5 });
  database.close();
  node = await startNode({ root: root.path, name: 'solo', key, dataDir, maxConcurrency: null });
}, 60_000);
afterAll(async () => {
  await destroyAllNodes();
  await root?.remove();
});

describe('a node without --max-concurrency', () => {
  it('offers one encode slot per local part', async () => {
    await until(
      async () =>
        (await statusOf(key, node)).nodes.some((n) => n.id === node.id && n.capabilities.slots === 3),
      20_000,
      'the node to offer three slots',
    );
    const self = (await statusOf(key, node)).nodes.find((n) => n.id === node.id);
    expect(self?.capabilities.slots).toBe(3);
  });
});

/**
 * What every e2e spec sets up the same way: a private work folder holding a farm key (0600), real
 * headless nodes of that farm started in it (each with its own data folder and a log kept with the
 * test's results), all stopped and removed after the spec; and full-page screenshots in test-results/.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page, test } from '@playwright/test';
import { freePort } from './free-port.ts';
import { type RunningNode, startNode } from './vfo-node.ts';

export interface E2eFarm {
  /** The spec's private folder (set once `beforeAll` ran). */
  workDir: string;
  /** The farm key the browser logs in with. */
  farmKey: string;
  /** The nodes, in the order of `E2eFarmOptions.nodes`. */
  nodes: RunningNode[];
}

export interface E2eFarmOptions {
  /** Start of the work folder's name (in the OS temp folder). */
  prefix: string;
  /** The nodes' names; each gets the data folder `<workDir>/<name>`. */
  nodes: string[];
  /** Runs once the work folder and key exist, before any node starts (media, a stand-in ffmpeg). */
  prepare?: (workDir: string) => Promise<void>;
  /** Runs before a node starts, with its data folder (a setting written into its database). */
  beforeNode?: (dataDir: string) => void;
  /** `vfo node` arguments of every node; read after `prepare`. */
  nodeArgs: () => string[];
}

/** Registers the spec's `beforeAll`/`afterAll`; the returned farm is filled in by `beforeAll`. */
export function e2eFarmForSpec(options: E2eFarmOptions): E2eFarm {
  const farm: E2eFarm = { workDir: '', farmKey: '', nodes: [] };
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads fixtures from a destructuring pattern; none are needed here
  test.beforeAll(async ({}, testInfo) => {
    farm.workDir = await mkdtemp(join(tmpdir(), options.prefix));
    farm.farmKey = randomBytes(32).toString('base64url');
    const keyFile = join(farm.workDir, 'farm.key');
    await writeFile(keyFile, `${farm.farmKey}\n`);
    await chmod(keyFile, 0o600);
    await options.prepare?.(farm.workDir);
    for (const name of options.nodes) {
      const dataDir = join(farm.workDir, name);
      options.beforeNode?.(dataDir);
      farm.nodes.push(
        await startNode({
          name,
          dataDir,
          port: await freePort(),
          farmKeyFile: keyFile,
          logFile: testInfo.outputPath(`${name}.log`),
          extraArgs: options.nodeArgs(),
        }),
      );
    }
  });
  test.afterAll(async () => {
    await Promise.all(farm.nodes.map((node) => node.stop()));
    if (farm.workDir) await rm(farm.workDir, { recursive: true, force: true });
  });
  return farm;
}

/** A full-page screenshot kept with the test's results as `<name>.png`. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
}

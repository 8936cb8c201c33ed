/**
 * Two processes opening a new data folder at once (`vfo jobs` beside `vfo render`): both find the
 * tables missing and set out to make them. Before the fix one of the two failed in about one pair in
 * seven ("Failed to run the query 'CREATE TABLE artifacts …'"); twelve pairs all pass now.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVfo, tempDir } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir('vfo-concurrent-open-');
});
afterAll(async () => dir?.remove());

describe('a new data folder opened by two processes at once', () => {
  it('is made once, and both commands succeed', async () => {
    for (let round = 0; round < 12; round++) {
      const env = { VFO_DATA_DIR: join(dir.path, `data-${round}`) };
      const pair = await Promise.all([runVfo(['jobs'], env), runVfo(['jobs'], env)]);
      for (const result of pair) {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
      }
    }
  }, 120_000);
});

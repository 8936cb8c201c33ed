/**
 * Two processes opening a new data folder at once (`vfo jobs` beside `vfo render`): both find the
 * tables missing and set out to make them. Before the fix one of the two failed in about one pair in
 * seven ("Failed to run the query 'CREATE TABLE artifacts …'"); twelve pairs all pass now.
 *
 * Both also turn the new database to WAL, which SQLite refuses at once (no busy wait) to one of two
 * connections that collide: about one open in fifty failed with "database is locked" (one CI run).
 * Four threads, each with its own connection, open 150 new folders in step to hit that window.
 */

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runVfo, tempDir } from './support/vfo.ts';

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

// Node runs the source itself in the threads (type stripping): vitest's transform does not reach them.
const OPENER = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.open).then(({ openDatabase }) => {
  parentPort.on('message', (dir) => {
    try {
      openDatabase(dir).close();
      parentPort.postMessage('opened');
    } catch (error) {
      parentPort.postMessage(error.message);
    }
  });
  parentPort.postMessage('ready');
});`;

describe('a new database opened by four connections at once', () => {
  it('is turned to WAL and opened by each of them', async () => {
    const open = join(REPO, 'src/main/db/open.ts');
    const threads = Array.from({ length: 4 }, () => new Worker(OPENER, { eval: true, workerData: { open } }));
    const reply = (thread: Worker) =>
      new Promise<string>((resolve, reject) => {
        thread.once('message', resolve);
        thread.once('error', reject);
      });
    try {
      await Promise.all(threads.map(reply));
      const failures: string[] = [];
      for (let round = 0; round < 150; round++) {
        const folder = join(dir.path, `threads-${round}`);
        const replies = threads.map(reply);
        for (const thread of threads) thread.postMessage(folder);
        failures.push(...(await Promise.all(replies)).filter((answer) => answer !== 'opened'));
      }
      expect(failures).toEqual([]);
    } finally {
      await Promise.all(threads.map((thread) => thread.terminate()));
    }
  }, 120_000);
});

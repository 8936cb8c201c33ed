/**
 * Found by attacking the data folder: a database with a damaged page said "ready to render" in
 * `vfo doctor`, and every other command failed with SQLite's "database disk image is malformed",
 * naming no file and no way out (a render retried it, with backoff, as if it could pass).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EXIT } from '../src/main/cli/io.ts';
import { openDatabase } from '../src/main/db/open.ts';
import { hasStackTrace, runVfo, tempDir } from './support/vfo.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
const data = () => join(dir.path, 'data');

beforeAll(async () => {
  dir = await tempDir('vfo-damaged-');
  const opened = openDatabase(data());
  const { rootpage } = opened.sqlite
    .prepare("SELECT rootpage FROM sqlite_master WHERE name = 'jobs'")
    .get() as {
    rootpage: number;
  };
  const pageSize = opened.sqlite.pragma('page_size', { simple: true }) as number;
  // Closing checkpoints the WAL: the page is in the database file itself.
  opened.close();
  const file = openSync(opened.path, 'r+');
  writeSync(file, randomBytes(pageSize), 0, pageSize, (rootpage - 1) * pageSize);
  closeSync(file);
});

afterAll(() => dir?.remove());

it('is found by vfo doctor, which says it is not ready', async () => {
  const result = await runVfo(['doctor', '--data', data()]);
  expect(result.code).toBe(EXIT.failure);
  expect(result.stdout).toMatch(/database {6}.*vfo\.db \(DAMAGED: /);
  expect(result.stdout).toContain('NOT ready to render: missing an undamaged database');
});

it('is named as damaged by the other commands, with what to do', async () => {
  const result = await runVfo(['jobs', '--data', data()]);
  expect(result.code).toBe(EXIT.failure);
  expect(result.stderr).toContain("the data folder's database is damaged: vfo doctor checks it");
  expect(hasStackTrace(result.stderr)).toBe(false);
});

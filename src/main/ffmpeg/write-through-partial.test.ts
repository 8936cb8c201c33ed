import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeThroughPartial } from './write-through-partial.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-partial-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('writeThroughPartial', () => {
  it('renames the partial once the run succeeds', async () => {
    const files = { partial: join(dir, 'out.partial'), outPath: join(dir, 'out') };
    await writeThroughPartial('sh', ['-c', `printf done > "${files.partial}"`], files, {
      what: 'writing',
      timeoutMs: 10_000,
    });
    expect(await readFile(files.outPath, 'utf8')).toBe('done');
    expect(await exists(files.partial)).toBe(false);
  });

  it('leaves neither file when the run fails, and names what failed with its last lines', async () => {
    const files = { partial: join(dir, 'out.partial'), outPath: join(dir, 'out') };
    const run = writeThroughPartial(
      'sh',
      ['-c', `printf half > "${files.partial}"; printf 'one\\ntwo\\nthree\\n' >&2; exit 1`],
      files,
      { what: 'cannot scale the picture', timeoutMs: 10_000 },
    );
    await expect(run).rejects.toThrow('cannot scale the picture: two three');
    expect(await exists(files.partial)).toBe(false);
    expect(await exists(files.outPath)).toBe(false);
  });

  it('kills a cancelled run at once and removes what it wrote', async () => {
    const files = { partial: join(dir, 'out.partial'), outPath: join(dir, 'out') };
    const controller = new AbortController();
    const started = Date.now();
    const run = writeThroughPartial('sh', ['-c', `printf half > "${files.partial}"; exec sleep 30`], files, {
      what: 'cutting',
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 300);
    await expect(run).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await exists(files.partial)).toBe(false);
    expect(await exists(files.outPath)).toBe(false);
  });
});

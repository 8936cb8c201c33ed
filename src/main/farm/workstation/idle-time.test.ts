import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileIdleTime } from './idle-time.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-idle-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('the idle time stand-in file', () => {
  it('reads a number of seconds; missing, empty or not a number is unknown, never "someone typing"', async () => {
    const path = join(dir, 'idle');
    const idle = fileIdleTime(path);
    expect(await idle.seconds()).toBeNull();
    for (const [text, seconds] of [
      ['3600\n', 3600],
      ['0', 0],
      ['', null],
      ['  \n', null],
      ['soon', null],
      ['-5', null],
    ] as const) {
      await writeFile(path, text);
      expect(await idle.seconds(), JSON.stringify(text)).toBe(seconds);
    }
  });
});

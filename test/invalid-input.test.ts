/**
 * Acceptance: every invalid script exits 2 with file:line:col messages, no stack trace, nothing
 * rendered, and bounded memory even for a 30 MB file.
 */
import { execFile } from 'node:child_process';
import { readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, hasStackTrace, runVfo, tempDir, VFO } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await tempDir('vfo-invalid-');
  env = { VFO_DATA_DIR: join(dir.path, 'data') };
});
afterAll(async () => dir?.remove());

const CASES: [name: string, content: string | Buffer, expected: RegExp][] = [
  ['empty.md', '', /empty\.md:1:1: error: .*empty/],
  ['binary.md', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff, 0xfe]), /binary\.md:\d+:\d+: error: /],
  ['frontmatter.md', '---\ntitle: Open\n\n# Scene\nText.\n', /frontmatter\.md:1:1: error: .*front matter/],
  [
    'unknown.md',
    '# Scene\n\nHello [frobnicate] world.\n',
    /unknown\.md:3:7: error: .*unknown stage direction/,
  ],
  ['unclosed.md', '# Scene\n\nHello [pause 300ms world.\n', /unclosed\.md:3:7: error: .*unclosed/],
  ['absurd.md', '# Scene\n\nWait [pause 5h] then [rate +900%] go.\n', /absurd\.md:3:6: error: /],
];

describe('vfo render with invalid scripts', () => {
  it.each(CASES)('%s exits 2 with a located message', async (name, content, expected) => {
    const path = join(dir.path, name);
    await writeFile(path, content);
    const result = await runVfo(['render', path, '--out', join(dir.path, 'out')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stdout).toBe('');
    expect(await readdir(join(dir.path, 'out')).catch(() => [])).toEqual([]);
  });

  it('reports every problem of a script, not just the first', async () => {
    const path = join(dir.path, 'many.md');
    await writeFile(path, '# A\n\nOne [nope] two [pause 99s].\n\n# B\n\nThree [style] four [voice].\n');
    const result = await runVfo(['check', path], env);
    expect(result.code).toBe(2);
    expect(result.stderr.match(/many\.md:\d+:\d+: error:/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('rejects a 30 MB file quickly and without reading it into memory', async () => {
    const big = join(dir.path, 'huge.md');
    await writeFile(big, '# Scene\n\nWords.\n');
    await truncate(big, 30 * 1024 * 1024);
    const small = join(dir.path, 'empty.md');
    const peakKb = async (path: string) => {
      const { stderr } = await promisify(execFile)(
        '/usr/bin/time',
        ['-f', 'PEAK %M', process.execPath, VFO, 'check', path],
        {
          env: cleanEnv(env),
        },
      ).catch((e: { stderr: string }) => e);
      return { kb: Number(/PEAK (\d+)/.exec(stderr)?.[1]), stderr };
    };
    const huge = await peakKb(big);
    const baseline = await peakKb(small);
    expect(huge.stderr).toMatch(/huge\.md:1:1: error: .*30\.0 MB.*limit/);
    expect(hasStackTrace(huge.stderr)).toBe(false);
    // Reading 30 MB as text would cost well over 30 MB; the check must stay near a trivial run.
    expect(huge.kb - baseline.kb).toBeLessThan(15 * 1024);
  });

  it('exits 2 for usage mistakes without a stack trace', async () => {
    for (const args of [['render'], ['render', '--bogus', 'x.md'], ['nonsense'], ['jobs', 'show', 'nope']]) {
      const result = await runVfo(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
  });
});

/**
 * Acceptance (budgets before work): a script whose narration would pass the 6-hour limit of a plan is
 * refused by the script check — `vfo check`, `vfo render`, and the upload check the app preview and
 * the farm use — at the place it passes the limit, with exit 2, before any step runs: no job, no WAV.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../src/main/app/open-app.ts';
import { checkUpload } from '../src/main/intake/script-upload.ts';
import { hasStackTrace, runVfo, tempDir } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let env: NodeJS.ProcessEnv;
let script: string;
let text: string;

const SENTENCE = 'The waggle dance tells the other bees how far away the flowers are.';

/** 100 chapters of 780 words: about 6 h 55 min for the offline voice, about 400 KB. */
function longScript(): string {
  const lines: string[] = ['---', 'title: Everything about bees', '---', ''];
  for (let chapter = 1; chapter <= 100; chapter++) {
    lines.push(`# Chapter ${chapter}`, '');
    for (let paragraph = 0; paragraph < 10; paragraph++) lines.push(Array(6).fill(SENTENCE).join(' '), '');
  }
  return lines.join('\n');
}

async function filesUnder(root: string): Promise<string[]> {
  const names = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  return names.map((name) => join(root, name));
}

beforeAll(async () => {
  dir = await tempDir('vfo-length-');
  env = { VFO_DATA_DIR: join(dir.path, 'data') };
  script = join(dir.path, 'bees.md');
  text = longScript();
  await writeFile(script, text);
});
afterAll(async () => dir?.remove());

describe('a script longer than a video may last', () => {
  let located: { line: number; col: number; scene: string };

  it('is refused by vfo check at the line where it passes 6 hours, with exit 2', async () => {
    const result = await runVfo(['check', script], env);
    expect(result.code).toBe(2);
    expect(hasStackTrace(result.stderr)).toBe(false);
    const match =
      /bees\.md:(\d+):(\d+): error: the narration would last about (\d+) h.*passed here in scene "(Chapter \d+)"/.exec(
        result.stderr,
      );
    expect(match).not.toBeNull();
    const [, line, col, hours, scene] = match as RegExpExecArray;
    located = { line: Number(line), col: Number(col), scene: scene as string };
    expect(Number(hours)).toBeGreaterThanOrEqual(6);
    expect(result.stderr).toContain('a video may last at most 6 h');
    // The place is inside the scene it names, well into the script (not a 1:1 for the whole file).
    const lines = text.split('\n');
    const heading = lines
      .slice(0, located.line)
      .reverse()
      .find((l) => l.startsWith('# '));
    expect(heading).toBe(`# ${located.scene}`);
    expect(located.line).toBeGreaterThan(lines.length / 2);
    expect(lines[located.line - 1]?.slice(located.col - 1)).toMatch(/^The waggle dance/);
  });

  it('is under the limit up to the line before that place, so the place is where it passes', async () => {
    const prefix = join(dir.path, 'prefix.md');
    await writeFile(
      prefix,
      text
        .split('\n')
        .slice(0, located.line - 1)
        .join('\n'),
    );
    const result = await runVfo(['check', prefix, '--json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; estimatedSeconds: number };
    expect(report.ok).toBe(true);
    expect(report.estimatedSeconds).toBeGreaterThan(5.5 * 3600);
    expect(report.estimatedSeconds).toBeLessThanOrEqual(6 * 3600);
  });

  it('is refused by vfo render before any step runs: exit 2, no job, no audio in the data folder', async () => {
    const result = await runVfo(['render', script, '--out', join(dir.path, 'out')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bees\.md:\d+:\d+: error: the narration would last about/);
    expect(result.stderr).toContain('nothing rendered');
    const data = await filesUnder(join(dir.path, 'data'));
    expect(data.filter((path) => /\.(wav|mp4)$/i.test(path))).toEqual([]);
    expect(data.filter((path) => path.includes(`${join('data', 'blobs')}`))).toEqual([]);
    expect(data.filter((path) => path.includes(`${join('data', 'work')}`))).toEqual([]);
    const jobs = await runVfo(['jobs', '--json'], env);
    expect(JSON.parse(jobs.stdout)).toEqual([]);
    expect(await filesUnder(join(dir.path, 'out'))).toEqual([]);
  });

  it('is refused by the upload check of the app preview and the farm, with its estimate', async () => {
    const ctx = await openApp({ data: join(dir.path, 'data') });
    try {
      const { check } = await checkUpload(ctx, { name: 'bees.md', text: await readFile(script, 'utf8') });
      expect(check.ok).toBe(false);
      expect(check.diagnostics).toEqual([
        expect.objectContaining({ file: 'bees.md', line: located.line, col: located.col, severity: 'error' }),
      ]);
      expect(check.estimatedSeconds).toBeGreaterThan(6 * 3600);
    } finally {
      await ctx.close();
    }
  });
});

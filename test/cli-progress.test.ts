/**
 * `vfo render` says how fast an encode goes and when it will be done: a bar per job redrawn in place
 * on a terminal (a real pseudo-terminal, from util-linux `script`), plain lines when stderr is a pipe —
 * whether the video is encoded whole or in parts on this machine's cores.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDb } from './farm/farm-support.ts';
import { multiSceneScript, videoArtifactOf } from './farm/segment-support.ts';
import { cleanEnv, REPO, runVfo, tempDir, VFO } from './support/vfo.ts';

const run = promisify(execFile);
const SCRIPT = join(REPO, 'examples', 'welcome.md');
/** "87 fps · 2.1× · ETA 0:32": what the encode's lines must carry. */
const RATE = /\d+(\.\d)? fps · \d+(\.\d+)?× · ETA \d+:\d\d/;
const ESC = '\x1b';
const ANSI = new RegExp(`${ESC}\\[`);

let dir: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  dir = await tempDir('vfo-progress-');
});

afterAll(async () => {
  await dir?.remove();
});

describe('vfo render progress', () => {
  it('prints plain lines with fps, speed and ETA when stderr is not a terminal', async () => {
    const result = await runVfo([
      'render',
      SCRIPT,
      ...['--data', join(dir.path, 'plain-data'), '--out', join(dir.path, 'plain-out')],
      // Whole: the encode step's own ffmpeg (with the encoder fallback) reports the rate.
      ...['--parts', '1'],
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(ANSI);
    expect(result.stderr).not.toContain('\r');
    const lines = result.stderr.split('\n');
    const encoding = lines.filter((l) => /^vfo: [0-9a-f]{8} \d+% video \d+% /.test(l));
    expect(encoding.length, result.stderr).toBeGreaterThanOrEqual(1);
    expect(
      encoding.some((l) => RATE.test(l)),
      result.stderr,
    ).toBe(true);
    // Finished steps are lines of their own.
    expect(lines.some((l) => /^ {2}[0-9a-f]{8} video +done$/.test(l))).toBe(true);
    // Each line is whole: at most one a second per job, so a log stays short.
    expect(encoding.length).toBeLessThan(30);
  });

  it('leaves stderr to warnings and errors when the output is JSON for a program', async () => {
    const result = await runVfo([
      'render',
      SCRIPT,
      ...['--data', join(dir.path, 'json-data'), '--out', join(dir.path, 'json-out'), '--json'],
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toHaveLength(1);
  });

  it('combines the parts of a video encoded in parts into one line with fps, speed and ETA', async () => {
    // 8 scenes of ~3 s: two parts of at least 10 s, in the default full HD so that they encode for a
    // few seconds (lines come at most once a second).
    const script = join(dir.path, 'parts.md');
    await writeFile(script, multiSceneScript('progress', 8));
    const dataDir = join(dir.path, 'parts-data');
    const result = await runVfo([
      'render',
      script,
      ...['--data', dataDir, '--out', join(dir.path, 'parts-out')],
      ...['--parts', '2'],
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [job] = readDb<{ id: string }>(dataDir, 'SELECT id FROM jobs');
    expect(videoArtifactOf({ dataDir }, job?.id as string).metadata).toMatchObject({ parts: 2 });
    const encoding = result.stderr.split('\n').filter((l) => /^vfo: [0-9a-f]{8} \d+% video \d+% /.test(l));
    expect(
      encoding.some((l) => RATE.test(l)),
      result.stderr,
    ).toBe(true);
  });

  it('draws a bar per job, redrawn in place, on a terminal', async () => {
    const command = [
      JSON.stringify(process.execPath),
      JSON.stringify(VFO),
      'render',
      JSON.stringify(SCRIPT),
      ...['--data', JSON.stringify(join(dir.path, 'tty-data'))],
      ...['--out', JSON.stringify(join(dir.path, 'tty-out'))],
    ].join(' ');
    // `script` gives the command a pseudo-terminal and copies what it draws to our stdout.
    const { stdout } = await run('script', ['-qfec', command, '/dev/null'], {
      cwd: REPO,
      env: cleanEnv({ TERM: 'xterm' }),
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
    const clearLine = `\r${ESC}[2K`;
    expect(stdout).toContain(clearLine);
    // The cursor goes back up over the bars to redraw them.
    expect(stdout).toMatch(new RegExp(`${ESC}\\[\\d+A`));
    const bars = stdout
      .split(clearLine)
      .flatMap((chunk) => chunk.split('\n'))
      .filter((l) => /^[0-9a-f]{8} \[[#-]{24}\] +\d+% {2}video \d+%/.test(l));
    expect(bars.length, stdout).toBeGreaterThanOrEqual(1);
    expect(
      bars.some((l) => RATE.test(l)),
      stdout,
    ).toBe(true);
    expect(stdout).toMatch(/[0-9a-f]{8} \[#{24}\] 100% {2}done/);
    // The plain lines are for pipes only.
    expect(stdout).not.toMatch(/^vfo: [0-9a-f]{8} \d+% /m);
  });
});

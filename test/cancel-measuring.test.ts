/**
 * Ctrl-C while the plan step measures (the mix's loudness, where captions draw): the measuring ffmpeg
 * is killed and `vfo render` ends at once, its job cancelled. Before, those runs were given no signal:
 * the command waited for them, up to their timeouts (a minute for loudness, ten for the caption box).
 *
 * A stop (SIGTERM, a closed terminal's SIGHUP) ends them the same way, and the job resumes on the next
 * render of the script: the process used to die at once, its ffmpeg runs left running.
 *
 * The render held at that measurement is also the live process a second `vfo render` of the same
 * script meets: it stops at once, naming that process, and leaves the job to it (it ran the same job
 * at once before, their attempts colliding).
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/main/cli/io.ts';
import { isAlive } from '../src/main/ffmpeg/test-fixtures.ts';
import { hasStackTrace, REPO, runVfo, startVfo, tempDir } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir('vfo-cancel-measuring-');
});
afterAll(async () => dir?.remove());

/** The real ffmpeg, except a measurement: that one notes its pid and never ends. */
async function hangingMeasurements(pids: string, folder = 'bin'): Promise<string> {
  const bin = join(dir.path, folder);
  await mkdir(bin);
  const path = join(bin, 'ffmpeg');
  await writeFile(
    path,
    [
      '#!/bin/sh',
      'case "$*" in',
      `  *ebur128*|*bbox=min_val*) echo $$ >> "${pids}"; exec sleep 600;;`,
      'esac',
      'exec /usr/bin/ffmpeg "$@"',
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return path;
}

async function until<T>(read: () => Promise<T | undefined>, deadlineMs: number): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a render stopped during the plan step’s measurements', () => {
  it('Ctrl-C kills them, and the render ends as interrupted without waiting; a second render of the script meanwhile leaves the job to the first', async () => {
    const pids = join(dir.path, 'measuring.pids');
    const ffmpeg = await hangingMeasurements(pids);
    const script = join(REPO, 'examples', 'welcome.md');
    const env = { VFO_DATA_DIR: join(dir.path, 'data') };
    const args = ['render', script, '--out', join(dir.path, 'out'), '--ffmpeg', ffmpeg];
    const child = startVfo(args, env);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const hung = await until(async () => {
      const text = await readFile(pids, 'utf8').catch(() => '');
      return text.trim() ? text.trim().split('\n').map(Number) : undefined;
    }, 90_000);

    // With another script beside it: that one is rendered all the same.
    const other = join(dir.path, 'other.md');
    await writeFile(other, '# Other\n\nA second script, rendered beside the busy one.\n');
    const second = await runVfo(['render', script, other, '--out', join(dir.path, 'out')], env);
    expect(second.code).toBe(EXIT.failure);
    expect(second.stderr).toMatch(/is being run by another process \([^)]*:\d+\): wait for it/);
    expect(second.stderr).toContain(`:${child.pid})`);
    expect(hasStackTrace(second.stderr)).toBe(false);
    expect(second.stdout.trim()).toBe(join(dir.path, 'out', 'other.mp4'));

    const interrupted = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    expect(Date.now() - interrupted).toBeLessThan(15_000);
    expect(code, stderr).toBe(EXIT.interrupted);
    // Every measurement started (there may be two side by side) was killed, not left running.
    const measured = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    expect(measured.length).toBeGreaterThanOrEqual(hung.length);
    await until(async () => (measured.some(isAlive) ? undefined : true), 5_000);
  }, 150_000);

  it('a stop (SIGTERM) ends them too, and the job resumes on the next render of the script', async () => {
    const pids = join(dir.path, 'stopped.pids');
    const hanging = await hangingMeasurements(pids, 'stop-bin');
    const script = join(REPO, 'examples', 'welcome.md');
    const env = { VFO_DATA_DIR: join(dir.path, 'stop-data') };
    const out = join(dir.path, 'stop-out');
    const child = startVfo(['render', script, '--out', out, '--ffmpeg', hanging], env);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await until(
      async () => ((await readFile(pids, 'utf8').catch(() => '')).trim() ? true : undefined),
      90_000,
    );
    const stopped = Date.now();
    child.kill('SIGTERM');
    // 128 + SIGTERM's number, as a shell reports a process SIGTERM ended.
    expect(await exited).toBe(128 + constants.signals.SIGTERM);
    expect(Date.now() - stopped).toBeLessThan(15_000);
    const measured = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    await until(async () => (measured.some(isAlive) ? undefined : true), 5_000);
    const listed = await runVfo(['jobs', '--json'], env);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ status: 'queued' }]);

    const again = await runVfo(['render', script, '--out', out], env);
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(again.stderr).toMatch(/resuming job [0-9a-f]{8}/);
    expect(again.stdout.trim()).toBe(join(out, 'welcome.mp4'));
  }, 240_000);
});

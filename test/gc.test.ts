/**
 * Acceptance: `vfo gc` frees what a failed render left (its narration WAV among it), says what it
 * freed, keeps a finished render's files, and the failed job can still be retried; `--budget` stores
 * the disk budget setting.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCommand, runVfo, tempDir, VFO } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await tempDir('vfo-gc-');
  env = { VFO_DATA_DIR: join(dir.path, 'data') };
});
afterAll(async () => dir?.remove());

interface JobJson {
  id: string;
  status: string;
  artifacts: { type: string; path: string; size: number }[];
}

async function renderJson(script: string, extra: string[] = []): Promise<JobJson> {
  const result = await runVfo(['render', script, '--video-preset', 'preview-360p', '--json', ...extra], env);
  return (JSON.parse(result.stdout) as JobJson[])[0] as JobJson;
}

describe('vfo gc', () => {
  let failed: JobJson;
  let done: JobJson;

  beforeAll(async () => {
    const good = join(dir.path, 'good.md');
    await writeFile(good, '# One\n\nBees dance to say where the flowers are.\n');
    done = await renderJson(good);
    const bad = join(dir.path, 'bad.md');
    await writeFile(bad, '# One\n\nA script narrated in full, then refused by the encoder.\n');
    // The encode fails (an ffmpeg that fails every run) after the narration was made: its WAV stays.
    const broken = join(dir.path, 'broken-ffmpeg');
    await writeFile(broken, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    failed = await renderJson(bad, ['--ffmpeg', broken]);
  });

  it('reports with --dry-run what it would free, and removes nothing', async () => {
    expect(done.status).toBe('done');
    expect(failed.status).toBe('failed');
    const wav = failed.artifacts.find((a) => a.type === 'audio');
    expect(wav && existsSync(wav.path)).toBe(true);
    const result = await runVfo(['gc', '--dry-run', '--json'], env);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { dryRun: boolean; jobs: number; freedBytes: number };
    expect(report).toMatchObject({ dryRun: true, jobs: 1 });
    expect(report.freedBytes).toBeGreaterThanOrEqual(wav?.size as number);
    expect(failed.artifacts.every((a) => existsSync(a.path))).toBe(true);
  });

  it("frees the failed render's files, prints what it freed, and keeps the finished one's", async () => {
    const result = await runVfo(['gc'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^freed \d+ items, [\d.]+ (KB|MB): \d+ blobs, .*results of 1 failed or cancelled jobs/,
    );
    const doneFiles = new Set(done.artifacts.map((a) => a.path));
    for (const artifact of failed.artifacts) {
      if (!doneFiles.has(artifact.path)) expect(existsSync(artifact.path)).toBe(false);
    }
    expect(done.artifacts.every((a) => existsSync(a.path))).toBe(true);
    const again = await runVfo(['gc', '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ jobs: 0, freedBytes: 0 });
  });

  it('leaves the failed job retryable: its results are made again', async () => {
    const result = await runVfo(['jobs', 'retry', failed.id.slice(0, 8)], env);
    expect(result.code).toBe(0);
    expect(existsSync(result.stdout.trim())).toBe(true);
  });

  it('stores the disk budget with --budget, and refuses a size it cannot read', async () => {
    const set = await runVfo(['gc', '--budget', '20GB'], env);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('disk budget: 20.0 GB');
    const shown = await runVfo(['gc', '--dry-run', '--json'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ diskBudget: 20 * 1024 ** 3 });
    const bad = await runVfo(['gc', '--budget', 'lots'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--budget must be a size like 20GB');
    expect(hasStackTrace(bad.stderr)).toBe(false);
    const off = await runVfo(['gc', '--budget', 'off', '--json'], env);
    expect(JSON.parse(off.stdout)).toEqual({ diskBudget: null });
  });

  it('stores the free disk a node keeps with --keep-free, and refuses a size it cannot read', async () => {
    const set = await runVfo(['gc', '--keep-free', '12GB'], env);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('free disk kept: 12.0 GB');
    const back = await runVfo(['gc', '--keep-free', 'default', '--json'], env);
    expect(JSON.parse(back.stdout)).toEqual({ keepFree: 2 * 1024 ** 3 });
    const bad = await runVfo(['gc', '--keep-free', 'plenty'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--keep-free must be a size like 2GB');
    expect(hasStackTrace(bad.stderr)).toBe(false);
    // Two settings in one run stored only the second, silently; a dry run stored its setting.
    for (const args of [
      ['--budget', '20GB', '--keep-free', '5GB'],
      ['--keep-free', '5GB', '--dry-run'],
    ]) {
      const refused = await runVfo(['gc', ...args], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('vfo gc sets one setting at a time, without --dry-run');
    }
    expect(JSON.parse((await runVfo(['gc', '--dry-run', '--json'], env)).stdout)).toMatchObject({
      diskBudget: null,
    });
  });

  // Found by attacking the engine: the free disk a node keeps was checked only for uploads, and a
  // render on a full disk failed its encode three times, reporting ffmpeg's output dump.
  it('starts no step with less free disk than the node keeps, and says how to change it', async () => {
    const own = { VFO_DATA_DIR: join(dir.path, 'full-data') };
    expect((await runVfo(['gc', '--keep-free', '900TB'], own)).code).toBe(0);
    const script = join(dir.path, 'full.md');
    await writeFile(script, '# One\n\nNothing is made on a full disk.\n');
    const result = await runVfo(['render', script, '--json'], own);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /the disk is nearly full \([\d.]+ [KMG]B free; 921600\.0 GB is kept free, set with vfo gc --keep-free\)/,
    );
    const [job] = JSON.parse(result.stdout) as {
      steps: { key: string; status: string; attempts: number }[];
    }[];
    expect(job?.steps.find((s) => s.key === 'script')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(existsSync(join(dir.path, 'full.mp4'))).toBe(false);
    // With room kept at its default, the same job renders.
    expect((await runVfo(['gc', '--keep-free', 'default'], own)).code).toBe(0);
    const retried = await runVfo(['render', script, '--video-preset', 'preview-360p'], own);
    expect(retried.code, retried.stderr).toBe(0);
  });

  // Found by attacking budgets: the disk --out is on was never looked at; a full one failed the job
  // after the whole render, and the error sent the user to vfo gc, which frees another disk.
  it('starts no step when the disk the video goes to has less free than the node keeps', async () => {
    const own = { VFO_DATA_DIR: join(dir.path, 'small-out-data') };
    const script = join(dir.path, 'small-out.md');
    await writeFile(script, '# One\n\nThe video has nowhere to go.\n');
    const mount = join(dir.path, 'small-disk');
    await mkdir(mount, { recursive: true });
    const out = join(mount, 'videos');
    // A 200 KB disk of its own, in a mount namespace of this test's own (unprivileged).
    const inner = `mount -t tmpfs -o size=200k tmpfs "${mount}" && exec "${process.execPath}" "${VFO}" render "${script}" --out "${out}" --json`;
    const result = await runCommand('unshare', ['-rm', 'sh', '-c', inner], own);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`the disk holding ${out} is nearly full (`);
    const [job] = JSON.parse(result.stdout) as {
      steps: { key: string; status: string; attempts: number }[];
    }[];
    expect(job?.steps.find((s) => s.key === 'script')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job?.steps.find((s) => s.key === 'narration')?.status).toBe('pending');
  });
});

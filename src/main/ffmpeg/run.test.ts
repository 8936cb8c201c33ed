import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFfmpegError } from './errors.ts';
import { captureOutput } from './exec.ts';
import type { FfmpegProgress } from './progress.ts';
import { runFfmpeg } from './run.ts';
import { FFMPEG, isAlive, makeTempDir, waitFor, writeScript } from './test-fixtures.ts';

function lavfiEncode(out: string, seconds: number, extra: string[] = []): string[] {
  return [
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats', ...extra],
    ...['-f', 'lavfi', '-i', `testsrc2=size=160x90:rate=25:duration=${seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mp4', out],
  ];
}

describe('runFfmpeg', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeEach(() => {
    tmp = makeTempDir('vf-run-');
  });
  afterEach(() => tmp.cleanup());

  // Found by attacking secrets: every ffmpeg, which parses media from scripts and other Macs, held every key.
  it('gives ffmpeg and its probes the environment without the keys', async () => {
    const keys = {
      ANTHROPIC_API_KEY: 'sk-ant-canary',
      AZURE_SPEECH_KEY: 'az-canary',
      VFO_REDIS_PASSWORD: 'pw-canary',
    };
    const before = { ...process.env };
    Object.assign(process.env, keys, { VFO_KEPT: 'kept' });
    try {
      const fake = writeScript(join(tmp.dir, 'ffmpeg'), 'env > "$1"');
      const seen = join(tmp.dir, 'env');
      await runFfmpeg(fake, [seen], { durationMs: 1000 });
      const probed = (await captureOutput('env', [], {})).stdout;
      for (const env of [readFileSync(seen, 'utf8'), probed]) {
        expect(env).toContain('VFO_KEPT=kept');
        for (const value of Object.values(keys)) expect(env).not.toContain(value);
      }
    } finally {
      for (const name of [...Object.keys(keys), 'VFO_KEPT']) delete process.env[name];
      Object.assign(process.env, before);
    }
  });

  // Found by attacking budgets: an ffmpeg that hung held its job for ever, with no error.
  it('stops a run whose output has not moved on for its stall time, and lets a slow one that moves finish', async () => {
    const hung = writeScript(join(tmp.dir, 'hung'), 'echo $$ > "$1"; exec sleep 30');
    const pidFile = join(tmp.dir, 'pid');
    const started = Date.now();
    const error = await runFfmpeg(hung, [pidFile], { durationMs: 1000, stallMs: 400 }).catch(
      (e: unknown) => e,
    );
    expect(isFfmpegError(error) && error.kind).toBe('encode-failed');
    expect((error as Error).message).toBe('ffmpeg made no progress for 0.4 s, and was stopped');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    // Blocks 250 ms apart, each further on: 1 s in all, never 400 ms without moving.
    const block = (ms: number) => `printf 'out_time_us=${ms * 1000}\\nprogress=continue\\n'; sleep 0.25`;
    const slow = writeScript(
      join(tmp.dir, 'slow'),
      `${[0, 250, 500, 750].map(block).join('; ')}; printf 'progress=end\\n'`,
    );
    await expect(runFfmpeg(slow, [], { durationMs: 1000, stallMs: 400 })).resolves.toBeUndefined();
  });

  it('runs background work at a lower CPU priority, and other work at the normal one', async () => {
    // A stand-in ffmpeg that writes its own niceness (field 19 of /proc/PID/stat) once it had time to be lowered.
    const fake = writeScript(join(tmp.dir, 'ffmpeg'), 'sleep 0.3; cut -d" " -f19 /proc/$$/stat > "$1"');
    const background = join(tmp.dir, 'background');
    const normal = join(tmp.dir, 'normal');
    await runFfmpeg(fake, [background], { durationMs: 1000, background: true });
    await runFfmpeg(fake, [normal], { durationMs: 1000 });
    expect(readFileSync(background, 'utf8').trim()).toBe('15');
    expect(readFileSync(normal, 'utf8').trim()).toBe(
      String(readFileSync('/proc/self/stat', 'utf8').split(' ')[18]),
    );
  });

  it('runs ffmpeg and reports progress up to completion', async () => {
    const out = join(tmp.dir, 'out.mp4');
    const events: FfmpegProgress[] = [];
    await runFfmpeg(FFMPEG, lavfiEncode(out, 2), { durationMs: 2000, onProgress: (p) => events.push(p) });
    expect(existsSync(out)).toBe(true);
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ fraction: 1, outTimeMs: 2000 });
    const fractions = events.map((e) => e.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });

  it('rejects with encode-failed and the end of stderr when ffmpeg fails', async () => {
    const args = ['-hide_banner', '-nostdin', '-i', join(tmp.dir, 'missing.wav'), '-f', 'null', '-'];
    const error = await runFfmpeg(FFMPEG, args, { durationMs: 1000 }).catch((e: unknown) => e);
    expect(isFfmpegError(error, 'encode-failed')).toBe(true);
    expect(String(error)).toMatch(/exited with code \d+/);
    expect(String(error)).toContain('No such file or directory');
  });

  it('stops ffmpeg when aborted and rejects as cancelled', async () => {
    const out = join(tmp.dir, 'slow.mp4');
    const controller = new AbortController();
    const started = Date.now();
    // -re reads the test source in real time: 60 s of input would take a minute.
    const run = runFfmpeg(FFMPEG, lavfiEncode(out, 60, ['-re']), {
      durationMs: 60_000,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    const error = await run.catch((e: unknown) => e);
    expect(isFfmpegError(error, 'cancelled')).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('kills an ffmpeg that ignores SIGTERM after the grace period', async () => {
    const pidFile = join(tmp.dir, 'pid');
    const stubborn = writeScript(
      join(tmp.dir, 'ffmpeg'),
      `trap '' TERM\necho $$ > "${pidFile}"\nwhile :; do sleep 0.05; done`,
    );
    const controller = new AbortController();
    const run = runFfmpeg(stubborn, [], { durationMs: 1000, signal: controller.signal, killGraceMs: 300 });
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const abortedAt = Date.now();
    controller.abort();
    const error = await run.catch((e: unknown) => e);
    expect(isFfmpegError(error, 'cancelled')).toBe(true);
    expect(Date.now() - abortedAt).toBeGreaterThanOrEqual(250);
    expect(isAlive(pid)).toBe(false);
  });

  it('rejects at once for an already-aborted signal and for a missing binary', async () => {
    const aborted = await runFfmpeg(FFMPEG, [], { durationMs: 1, signal: AbortSignal.abort() }).catch(
      (e) => e,
    );
    expect(isFfmpegError(aborted, 'cancelled')).toBe(true);
    const missing = await runFfmpeg(join(tmp.dir, 'no-ffmpeg'), [], { durationMs: 1 }).catch((e) => e);
    expect(isFfmpegError(missing, 'not-found')).toBe(true);
  });
});

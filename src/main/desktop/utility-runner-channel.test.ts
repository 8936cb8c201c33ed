import { fork } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODE_RUNNER_PATH, type EncodeRequest, isFfmpegError, relayEncode } from '../ffmpeg/index.ts';
import {
  FFMPEG,
  FFPROBE,
  makeImage,
  makeSineWav,
  makeTempDir,
  tinyPlan,
  waitFor,
} from '../ffmpeg/test-fixtures.ts';
import {
  EncodeActivity,
  runnerChannelFromUtilityProcess,
  type UtilityProcessHandle,
} from './utility-runner-channel.ts';

const SHIM = join(import.meta.dirname, 'parent-port-shim.fixture.ts');

/** A Node child dressed as Electron's UtilityProcess (exit code only, SIGTERM on kill). */
function forkLikeUtilityProcess(runnerPath: string): UtilityProcessHandle & { exited: Promise<number> } {
  const child = fork(SHIM, [runnerPath], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 143 : -1))),
  );
  return {
    exited,
    pid: () => (child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    postMessage: (message) => child.send(message as never),
    onSpawn: (listener) => child.once('spawn', listener),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => void exited.then(listener),
    kill: () => child.kill('SIGTERM'),
    stderr: child.stderr,
  };
}

let tmp: { dir: string; cleanup: () => void };
let assetPaths: Record<string, string>;
let counter = 0;
beforeAll(() => {
  tmp = makeTempDir('vf-utility-');
  assetPaths = {
    img: makeImage(join(tmp.dir, 'img.png')),
    narration: makeSineWav(join(tmp.dir, 'narration.wav'), 2),
  };
});
afterAll(() => tmp.cleanup());

function request(durationMs = 2000): EncodeRequest {
  counter += 1;
  const plan =
    durationMs === 2000
      ? tinyPlan()
      : tinyPlan({
          durationMs,
          scenes: [{ startMs: 0, durationMs, visual: { kind: 'image', asset: 'img', motion: 'zoom-in' } }],
        });
  return {
    ffmpegPath: FFMPEG,
    ffprobePath: FFPROBE,
    plan,
    assetPaths,
    outPath: join(tmp.dir, `out-${counter}.mp4`),
    encoder: 'libx264',
  };
}

describe('the encode runner behind a utility-process channel', () => {
  it('encodes through process.parentPort, reports progress, then lets the runner go', async () => {
    const proc = forkLikeUtilityProcess(ENCODE_RUNNER_PATH);
    const changes: boolean[] = [];
    const activity = new EncodeActivity((busy) => changes.push(busy));
    const ended = activity.begin();
    void proc.exited.then(ended);
    const fractions: number[] = [];
    const req = request();
    // Sent at once, before the process has spawned: the channel holds it until then.
    const result = await relayEncode(runnerChannelFromUtilityProcess(proc), req, {
      onProgress: (p) => fractions.push(p.fraction),
    });
    expect(result.outPath).toBe(req.outPath);
    expect(result.facts.video).toMatchObject({ codec: 'h264', width: 320, height: 180 });
    expect(existsSync(req.outPath)).toBe(true);
    expect(fractions.length).toBeGreaterThan(0);
    expect(await proc.exited).toBe(0);
    expect(changes).toEqual([true, false]);
  });

  it('cancels: the runner stops ffmpeg, removes its partial file and exits', async () => {
    const proc = forkLikeUtilityProcess(ENCODE_RUNNER_PATH);
    const controller = new AbortController();
    const outDir = join(tmp.dir, 'cancel');
    mkdirSync(outDir);
    const req = { ...request(120_000), outPath: join(outDir, 'long.mp4') };
    let started = false;
    const run = relayEncode(runnerChannelFromUtilityProcess(proc), req, {
      signal: controller.signal,
      onStarted: () => {
        started = true;
      },
    });
    await waitFor(() => started);
    controller.abort();
    const error = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isFfmpegError(error) && error.kind).toBe('cancelled');
    await proc.exited;
    expect(existsSync(req.outPath)).toBe(false);
  });

  it('reports a runner that dies, with its last stderr lines', async () => {
    const crashing = join(tmp.dir, 'crashing-runner.mjs');
    writeFileSync(crashing, "process.stderr.write('boom: out of cheese\\n'); process.exit(3);\n");
    const proc = forkLikeUtilityProcess(crashing);
    const error = await relayEncode(runnerChannelFromUtilityProcess(proc), request()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isFfmpegError(error) && error.kind).toBe('runner-crashed');
    expect(String((error as Error).message)).toContain('exited with code 3');
    expect(String((error as Error).message)).toContain('boom: out of cheese');
  });

  it('refuses to send to a process that has exited', async () => {
    const crashing = join(tmp.dir, 'quick-exit.mjs');
    writeFileSync(crashing, 'process.exit(0);\n');
    const proc = forkLikeUtilityProcess(crashing);
    const channel = runnerChannelFromUtilityProcess(proc);
    await proc.exited;
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => channel.send({ type: 'cancel' })).toThrow(/exited/);
  });
});

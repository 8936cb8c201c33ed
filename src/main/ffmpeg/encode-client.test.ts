import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RunnerChannel, relayEncode } from './encode-client.ts';
import type { EncodeRequest } from './encode-types.ts';

/** A runner that reports ffmpeg started with `pid`, then dies without an answer. */
function dyingRunner(pid: unknown): RunnerChannel {
  let onMessage: (message: unknown) => void = () => {};
  let onExit: (exit: { code: number | null; signal: string | null }) => void = () => {};
  return {
    pid: 4242,
    send: () =>
      setTimeout(() => {
        onMessage({ type: 'started', ffmpegPid: pid, partialPath: '/nowhere/out.mp4.partial' });
        onExit({ code: 1, signal: null });
      }, 5),
    onMessage: (listener) => {
      onMessage = listener;
    },
    onExit: (listener) => {
      onExit = listener;
    },
    close: () => {},
    kill: () => {},
    diagnostics: () => '',
  };
}

const request = { outPath: '/nowhere/out.mp4' } as EncodeRequest;

afterEach(() => {
  vi.restoreAllMocks();
});

// Found by attacking the desktop glue: the pid in the runner's 'started' message was taken at its
// word and sent SIGKILL when the runner died — -1 is every process of the user.
describe('the ffmpeg pid a runner reports', () => {
  it('is never -1, 0, 1, this process or not a whole number', async () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    for (const pid of [-1, 0, 1, process.pid, 1.5, '123', Number.MAX_VALUE]) {
      await expect(relayEncode(dyingRunner(pid), request)).rejects.toThrow(/before finishing/);
    }
    expect(kill).not.toHaveBeenCalled();
  });

  it('is killed when the runner dies without an answer (ffmpeg would run on for nobody)', async () => {
    const ffmpegStandIn = spawn('sleep', ['30'], { stdio: 'ignore' });
    const ended = new Promise<string | null>((resolve) =>
      ffmpegStandIn.once('exit', (_code, signal) => resolve(signal)),
    );
    await expect(relayEncode(dyingRunner(ffmpegStandIn.pid), request)).rejects.toThrow(/before finishing/);
    expect(await ended).toBe('SIGKILL');
  });
});

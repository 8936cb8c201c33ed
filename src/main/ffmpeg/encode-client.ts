/**
 * Runs an encode in a separate process, so a crash or a runaway encode never takes the caller
 * down. The CLI forks encode-runner.ts with Node; the app can wrap Electron's utilityProcess in a
 * RunnerChannel and use relayEncode with the same message contract.
 */
import { fork } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../log/logger.ts';
import { envWithoutSecrets } from '../secrets/secret-store.ts';
import { PARTIAL_MARKER } from '../util/atomic-file.ts';
import {
  type EncodeOptions,
  type EncodeRequest,
  type EncodeResult,
  type RunnerInbound,
  sideDirOf,
} from './encode-types.ts';
import { FfmpegError, isFfmpegErrorKind } from './errors.ts';
import type { FfmpegProgress } from './progress.ts';
import { LineTail } from './stderr-tail.ts';

export { measureCaptionBox, measureVideoCaptionBox, runEncode, writeSideFiles } from './encode-job.ts';

const log = createLogger('EncodeClient');

/** Where the runner module lives in the source tree; bundled apps pass their own runnerPath. */
export const ENCODE_RUNNER_PATH = fileURLToPath(new URL('./encode-runner.ts', import.meta.url));

/** A started runner process, whatever started it. */
export interface RunnerChannel {
  /** Process id of the runner, when known (lets a caller or test watch it). */
  readonly pid: number | undefined;
  send(message: RunnerInbound): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  /** We are done with it: it should exit by itself (Node: IPC disconnect). */
  close(): void;
  kill(): void;
  /** The runner's last stderr lines, for crash reports. */
  diagnostics(): string;
}

export interface ChildEncodeOptions extends EncodeOptions {
  runnerPath?: string;
  /** Starts the runner some other way (the app: an Electron utility process); child_process.fork otherwise. */
  startRunner?: (runnerPath: string) => RunnerChannel;
}

export function encodeInChildProcess(
  request: EncodeRequest,
  options: ChildEncodeOptions = {},
): Promise<EncodeResult> {
  if (options.signal?.aborted) return Promise.reject(new FfmpegError('cancelled', 'encode cancelled'));
  const start = options.startRunner ?? forkRunner;
  return relayEncode(start(options.runnerPath ?? ENCODE_RUNNER_PATH), request, options);
}

export function forkRunner(runnerPath: string): RunnerChannel {
  // execArgv [] so the parent's --inspect and similar flags are not inherited by the runner.
  const child = fork(runnerPath, [], {
    execPath: process.execPath,
    execArgv: [],
    env: envWithoutSecrets(),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const stderrTail = new LineTail(20);
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail.push(chunk);
    // The runner's log lines are already formatted by the same logger; pass them through.
    process.stderr.write(chunk);
  });
  return {
    pid: child.pid,
    send: (message) => child.send(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => {
      // 'error' can come instead of 'exit' (fork failed) or besides it; report exactly once.
      let reported = false;
      const report = (exit: { code: number | null; signal: string | null }) => {
        if (reported) return;
        reported = true;
        listener(exit);
      };
      child.once('exit', (code, signal) => report({ code, signal }));
      child.on('error', (error) => {
        log.error('encode runner process error', { runnerPath, error: error.message });
        if (child.pid === undefined) report({ code: null, signal: null });
      });
    },
    close: () => {
      if (child.connected) child.disconnect();
    },
    kill: () => child.kill('SIGKILL'),
    diagnostics: () => stderrTail.text(),
  };
}

/** Sends one encode to a runner and turns its messages into a promise. */
export function relayEncode(
  channel: RunnerChannel,
  request: EncodeRequest,
  options: EncodeOptions & { cancelGraceMs?: number } = {},
): Promise<EncodeResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let cancelRequested = false;
    let started: { ffmpegPid: number; partialPath: string } | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (error: FfmpegError | null, result?: EncodeResult) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      channel.close();
      if (error) reject(error);
      else resolve(result as EncodeResult);
    };
    // The runner answers a cancel with a 'cancelled' error once ffmpeg stopped and the partial
    // file is gone; a runner that does not answer in time is killed (and cleaned up after below).
    const onAbort = () => {
      cancelRequested = true;
      trySend(channel, { type: 'cancel' });
      killTimer = setTimeout(() => channel.kill(), options.cancelGraceMs ?? 10_000);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    channel.onMessage((raw) => {
      const message = raw as { type?: string } & Record<string, unknown>;
      if (message?.type === 'progress' && typeof message.fraction === 'number') {
        options.onProgress?.(progressOf(message));
      } else if (message?.type === 'started' && isSignallablePid(message.ffmpegPid)) {
        started = { ffmpegPid: message.ffmpegPid, partialPath: String(message.partialPath) };
        options.onStarted?.(started);
      } else if (message?.type === 'done') {
        finish(null, message.result as EncodeResult);
      } else if (message?.type === 'error') {
        const kind = isFfmpegErrorKind(message.kind) ? message.kind : 'encode-failed';
        finish(new FfmpegError(kind, String(message.message)));
      }
    });
    channel.onExit(async ({ code, signal }) => {
      if (settled) return;
      await cleanUpAfterRunner(started, request.outPath);
      if (cancelRequested) {
        finish(new FfmpegError('cancelled', 'encode cancelled (the encode process had to be killed)'));
        return;
      }
      const how = signal
        ? `was killed by ${signal}`
        : code === null
          ? 'could not start'
          : `exited with code ${code}`;
      const details = channel.diagnostics();
      const message = `The encode process ${how} before finishing${details ? `:\n${details}` : ''}`;
      finish(new FfmpegError('runner-crashed', message));
    });
    if (!trySend(channel, { type: 'encode', request })) {
      channel.kill();
      finish(new FfmpegError('runner-crashed', 'could not send the encode request to the encode process'));
    }
  });
}

/**
 * A pid this process may signal for the runner: it is later sent SIGKILL (and SIGSTOP/SIGCONT by a
 * worker yielding to the user), so -1 (every process of the user), 0 (this process group), 1, this
 * process and its parent are never taken from the runner's word.
 */
function isSignallablePid(pid: unknown): pid is number {
  return Number.isSafeInteger(pid) && (pid as number) > 1 && pid !== process.pid && pid !== process.ppid;
}

/**
 * A runner that died cannot clean up: ffmpeg ignores SIGPIPE and would finish the encode for
 * nobody, and its partial file would stay. Kill the one and delete the other, checking first
 * that the reported path really is a partial of the requested output.
 */
async function cleanUpAfterRunner(
  started: { ffmpegPid: number; partialPath: string } | null,
  outPath: string,
): Promise<void> {
  if (!started) return;
  try {
    process.kill(started.ffmpegPid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  const { partialPath } = started;
  const isOurPartial =
    dirname(partialPath) === dirname(outPath) &&
    basename(partialPath).startsWith(basename(outPath) + PARTIAL_MARKER);
  if (!isOurPartial) return;
  await rm(partialPath, { force: true }).catch(() => {});
  await rm(sideDirOf(partialPath), { recursive: true, force: true }).catch(() => {});
}

/** A progress message from the runner, taken field by field (it crossed a process boundary). */
function progressOf(message: Record<string, unknown>): FfmpegProgress {
  const progress: FfmpegProgress = {
    fraction: Number(message.fraction) || 0,
    outTimeMs: Number(message.outTimeMs) || 0,
  };
  for (const key of ['speed', 'fps', 'etaMs'] as const) {
    const value = message[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) progress[key] = value;
  }
  return progress;
}

function trySend(channel: RunnerChannel, message: RunnerInbound): boolean {
  try {
    channel.send(message);
    return true;
  } catch (error) {
    log.warn('could not message the encode process', { error: String(error) });
    return false;
  }
}

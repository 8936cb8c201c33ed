/**
 * Runs one ffmpeg invocation: relays `-progress` output, cancels on abort (SIGTERM, then SIGKILL
 * if ffmpeg does not stop), and turns failures into typed errors carrying the end of stderr.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { createLogger } from '../log/logger.ts';
import { envWithoutSecrets } from '../secrets/secret-store.ts';
import { FfmpegError } from './errors.ts';
import { type FfmpegProgress, ProgressParser, toProgress } from './progress.ts';
import { LineTail } from './stderr-tail.ts';

const log = createLogger('FfmpegRun');

export interface RunFfmpegOptions {
  /** Expected output duration, to turn out_time into a fraction. */
  durationMs: number;
  onProgress?: (progress: FfmpegProgress) => void;
  signal?: AbortSignal;
  /** How long ffmpeg gets to exit after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  /** Called once ffmpeg started, with its process id. */
  onSpawn?: (pid: number) => void;
  /** Run as background work (a lower CPU priority): it yields to the encodes of this machine. */
  background?: boolean;
  /** How long the output may stay where it is before ffmpeg is taken as hung (default STALL_MS). */
  stallMs?: number;
}

/**
 * A run whose output has not moved on for this long is hung, and is stopped: a hung ffmpeg held its
 * job for ever, with no error (found by attacking budgets). Generous: a frame of the heaviest graph
 * takes seconds, and a run reports every half second.
 */
export const STALL_MS = 180_000;

/** Niceness of background ffmpeg runs (POSIX 0..19; libuv maps it on Windows). */
const BACKGROUND_PRIORITY = 15;

/*
 * ffmpeg ignores SIGPIPE, so it does NOT die when the process reading its progress dies: it would
 * finish a long encode for nobody. Every live ffmpeg is killed when this process exits, even
 * through an uncaught exception ('exit' handlers run synchronously and process.kill is sync).
 */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const live of liveChildren) live.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('close', () => liveChildren.delete(child));
}

export function runFfmpeg(ffmpegPath: string, args: string[], options: RunFfmpegOptions): Promise<void> {
  const { signal } = options;
  if (signal?.aborted)
    return Promise.reject(new FfmpegError('cancelled', 'encode cancelled before it started'));

  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      env: envWithoutSecrets(),
    });
    track(child);
    if (child.pid !== undefined && options.background) lowerPriority(child.pid);
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    const stderrTail = new LineTail(20);
    let lastOutTimeMs = 0;
    let cancelled = false;
    let stalled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stallMs = options.stallMs ?? STALL_MS;
    const stallTimer = setTimeout(() => {
      stalled = true;
      log.warn('ffmpeg made no progress; stopping it', { pid: child.pid, seconds: stallMs / 1000 });
      child.kill('SIGKILL');
    }, stallMs);

    let furthestMs = -1;
    const parser = new ProgressParser((block) => {
      // Moving on is the output's time growing (unclamped: a run may pass the expected duration).
      if ((block.outTimeMs ?? -1) > furthestMs || block.done) {
        furthestMs = Math.max(furthestMs, block.outTimeMs ?? -1);
        stallTimer.refresh();
      }
      const progress = toProgress(block, options.durationMs, lastOutTimeMs);
      lastOutTimeMs = progress.outTimeMs;
      options.onProgress?.(progress);
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => parser.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderrTail.push(chunk));

    const onAbort = () => {
      cancelled = true;
      log.info('cancelling ffmpeg', { pid: child.pid });
      child.kill('SIGTERM');
      killTimer = setTimeout(() => {
        log.warn('ffmpeg ignored SIGTERM; killing it', { pid: child.pid });
        child.kill('SIGKILL');
      }, options.killGraceMs ?? 3000);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (error?: FfmpegError) => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      clearTimeout(stallTimer);
      if (error) reject(error);
      else resolve();
    };

    child.once('error', (error: NodeJS.ErrnoException) => {
      const kind = error.code === 'ENOENT' || error.code === 'EACCES' ? 'not-found' : 'encode-failed';
      finish(
        new FfmpegError(kind, `could not start ffmpeg "${ffmpegPath}": ${error.message}`, { cause: error }),
      );
    });
    child.once('close', (code, exitSignal) => {
      if (cancelled) return finish(new FfmpegError('cancelled', 'encode cancelled'));
      if (stalled)
        return finish(
          new FfmpegError(
            'encode-failed',
            `ffmpeg made no progress for ${stallMs / 1000} s, and was stopped`,
          ),
        );
      if (code === 0) return finish();
      const how = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${code}`;
      const tail = stderrTail.text();
      finish(new FfmpegError('encode-failed', `ffmpeg ${how}${tail ? `:\n${tail}` : ' (no error output)'}`));
    });
  });
}

function lowerPriority(pid: number): void {
  try {
    setPriority(pid, BACKGROUND_PRIORITY);
  } catch (error) {
    // Only the pace suffers: the work itself is the same.
    log.debug('could not lower the priority of ffmpeg', { pid, error: String(error) });
  }
}

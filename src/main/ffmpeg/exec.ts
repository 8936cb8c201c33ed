import { execFile } from 'node:child_process';
import { envWithoutSecrets } from '../secrets/secret-store.ts';

export interface CapturedOutput {
  stdout: string;
  stderr: string;
  /** Exit code, or null when the process was killed by a signal. */
  code: number | null;
}

/**
 * Runs a short command (probe, ffprobe) and captures its output. Never rejects for a non-zero
 * exit: the caller knows what failure means for it. Rejects only if the binary cannot start, or
 * when `signal` aborts it: then with the signal's reason, once the run is killed and has exited (a
 * cancelled job does not wait for a measurement, and nothing it wrote is removed under a live writer).
 */
export function captureOutput(
  command: string,
  args: string[],
  options: { timeoutMs?: number; signal?: AbortSignal | undefined } = {},
): Promise<CapturedOutput> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    // Not execFile's own `signal`: that sends SIGTERM, which ffmpeg inside a filter graph ignores, and
    // answers before the process has exited.
    const kill = () => child.kill('SIGKILL');
    const child = execFile(
      command,
      args,
      {
        maxBuffer: 32 * 1024 * 1024,
        timeout: options.timeoutMs ?? 30_000,
        // ffmpeg busy in a filter graph does not act on SIGTERM: a run past its time never ended.
        killSignal: 'SIGKILL',
        windowsHide: true,
        env: envWithoutSecrets(),
      },
      (error, stdout, stderr) => {
        signal?.removeEventListener('abort', kill);
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        if (error && typeof error.code === 'string') {
          reject(error);
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ stdout, stderr, code });
      },
    );
    signal?.addEventListener('abort', kill, { once: true });
  });
}

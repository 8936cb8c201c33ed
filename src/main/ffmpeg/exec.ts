import { execFile } from 'node:child_process';

export interface CapturedOutput {
  stdout: string;
  stderr: string;
  /** Exit code, or null when the process was killed by a signal. */
  code: number | null;
}

/**
 * Runs a short command (probe, ffprobe) and captures its output. Never rejects for a non-zero
 * exit: the caller knows what failure means for it. Rejects only if the binary cannot start, or
 * when `signal` aborts it (the run is killed: a cancelled job does not wait for a measurement).
 */
export function captureOutput(
  command: string,
  args: string[],
  options: { timeoutMs?: number; signal?: AbortSignal | undefined } = {},
): Promise<CapturedOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        maxBuffer: 32 * 1024 * 1024,
        timeout: options.timeoutMs ?? 30_000,
        // ffmpeg busy in a filter graph does not act on SIGTERM: a run past its time never ended.
        killSignal: 'SIGKILL',
        windowsHide: true,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code === 'string') {
          reject(error);
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

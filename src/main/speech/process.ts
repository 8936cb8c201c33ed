/**
 * Runs an engine binary with an argument array (never a shell), bounded output, a timeout, and
 * cancellation. Failures become SpeechErrors that say which tool failed and what it printed.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { envWithoutSecrets } from '../secrets/secret-store.ts';
import { SpeechError } from './errors.ts';

export interface ToolRun {
  stdout: string;
  stderr: string;
}

export interface RunToolOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Shown in messages, e.g. "espeak-ng". */
  toolName: string;
  /** Printed with "not found" errors: how to get the tool. */
  installHint: string;
  /** Working folder of the tool: relative paths in its arguments are inside it. */
  cwd?: string;
}

const MAX_CAPTURE_CHARS = 1 << 20;
const STDERR_SHOWN_CHARS = 2000;

export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A GUI app launched from Finder does not get the shell PATH, so Homebrew's folders are searched too.
 * Returns the bare name when nothing is found, so the spawn error names the tool.
 */
export function resolveExecutable(
  name: string,
  extraDirs: string[] = ['/opt/homebrew/bin', '/usr/local/bin'],
): string {
  if (isAbsolute(name) || name.includes('/')) return name;
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  return dirs.map((dir) => join(dir, name)).find(isExecutableFile) ?? name;
}

export function runTool(binary: string, args: string[], options: RunToolOptions): Promise<ToolRun> {
  const { signal, timeoutMs = 120_000, toolName, installHint, cwd } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: envWithoutSecrets(),
      ...(cwd ? { cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    /** Why we killed the child; reported once it has really exited, so nothing is still writing. */
    let stopReason: { error: unknown } | undefined;
    const finish = (error: unknown, run?: ToolRun): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(run as ToolRun);
    };
    const stop = (error: unknown): void => {
      stopReason ??= { error };
      child.kill('SIGKILL');
    };
    const onAbort = (): void => stop(signal?.reason);
    const timer = setTimeout(
      () => stop(new SpeechError('engine-failed', `${toolName} did not finish within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_CAPTURE_CHARS) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      // Keep the tail: the last lines usually say what went wrong.
      stderr = (stderr + chunk).slice(-STDERR_SHOWN_CHARS);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EACCES') {
        finish(
          new SpeechError('engine-missing', `${toolName} was not found at "${binary}". ${installHint}`, {
            cause: error,
          }),
        );
      } else {
        finish(
          new SpeechError('engine-failed', `${toolName} could not be started: ${error.message}`, {
            cause: error,
          }),
        );
      }
    });
    // 'exit', not 'close': a grandchild still holding the pipes must not delay a kill being reported.
    child.on('exit', () => {
      if (!stopReason) return;
      child.stdout.destroy();
      child.stderr.destroy();
      finish(stopReason.error);
    });
    child.on('close', (code, killedBy) => {
      if (code === 0) {
        finish(undefined, { stdout, stderr });
        return;
      }
      const how = killedBy ? `was killed by ${killedBy}` : `exited with code ${code}`;
      const said = stderr.trim() || stdout.trim().slice(0, STDERR_SHOWN_CHARS);
      finish(new SpeechError('engine-failed', `${toolName} ${how}${said ? `: ${said}` : ''}`));
    });
  });
}

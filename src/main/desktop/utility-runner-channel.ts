/**
 * The encode runner in an Electron utility process, seen as the ffmpeg client's RunnerChannel, so
 * relayEncode drives it exactly as it drives a child_process.fork runner. The shell wraps
 * `utilityProcess.fork(...)` in the small UtilityProcessHandle below; tests wrap a Node child process.
 */
import type { RunnerChannel, RunnerInbound } from '../ffmpeg/index.ts';

/** The few things of Electron's UtilityProcess this needs, as plain callbacks. */
export interface UtilityProcessHandle {
  /** Undefined until spawned and after exit. */
  pid(): number | undefined;
  postMessage(message: unknown): void;
  onSpawn(listener: () => void): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Utility processes report an exit code only (no signal). */
  onExit(listener: (code: number) => void): void;
  /** A graceful stop: SIGTERM on macOS, which the runner answers by cancelling ffmpeg and exiting. */
  kill(): void;
  /** The runner's stderr, when started with stdio 'pipe'. */
  stderr: NodeJS.ReadableStream | null;
}

export interface UtilityChannelOptions {
  /** Runner log lines (already formatted by the runner's logger), e.g. to the app's log. */
  onStderr?: (chunk: string) => void;
  /** Force-kill a pid; process.kill by default. */
  killPid?: (pid: number) => void;
}

const TAIL_LINES = 20;

export function runnerChannelFromUtilityProcess(
  proc: UtilityProcessHandle,
  options: UtilityChannelOptions = {},
): RunnerChannel {
  let spawned = false;
  let exited = false;
  let lastPid: number | undefined;
  const queued: RunnerInbound[] = [];
  const tail: string[] = [];
  let partial = '';

  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    options.onStderr?.(chunk);
    const lines = (partial + chunk).split(/\r?\n/);
    partial = (lines.pop() ?? '').slice(-1000);
    for (const line of lines) if (line.trim()) tail.push(line.slice(0, 1000));
    tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
  });
  // Messages posted before the process is up are held and sent once it is.
  proc.onSpawn(() => {
    spawned = true;
    lastPid = proc.pid();
    for (const message of queued.splice(0)) proc.postMessage(message);
  });
  proc.onExit(() => {
    exited = true;
  });

  return {
    get pid() {
      return proc.pid() ?? lastPid;
    },
    send(message) {
      if (exited) throw new Error('the encode process has exited');
      if (spawned) proc.postMessage(message);
      else queued.push(message);
    },
    onMessage(listener) {
      proc.onMessage(listener);
    },
    onExit(listener) {
      let reported = false;
      proc.onExit((code) => {
        if (reported) return;
        reported = true;
        listener({ code, signal: null });
      });
    },
    // The runner serves one encode; once relayEncode has its answer the process is not needed.
    close() {
      if (!exited) proc.kill();
    },
    kill() {
      if (exited) return;
      const pid = proc.pid();
      if (pid === undefined) {
        proc.kill();
        return;
      }
      try {
        (options.killPid ?? ((p: number) => process.kill(p, 'SIGKILL')))(pid);
      } catch {
        // Already gone.
      }
    },
    diagnostics() {
      return (partial.trim() ? [...tail, partial] : tail).slice(-TAIL_LINES).join('\n');
    },
  };
}

/**
 * Counts running encode processes and says when the count goes from 0 to 1 and back: the shell keeps
 * the Mac from suspending the app while any encode runs.
 */
export class EncodeActivity {
  private active = 0;
  private readonly onBusyChange: (busy: boolean) => void;

  constructor(onBusyChange: (busy: boolean) => void) {
    this.onBusyChange = onBusyChange;
  }

  get count(): number {
    return this.active;
  }

  /** One encode process started; call the returned function when it ends (extra calls do nothing). */
  begin(): () => void {
    this.active += 1;
    if (this.active === 1) this.onBusyChange(true);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active -= 1;
      if (this.active === 0) this.onBusyChange(false);
    };
  }
}

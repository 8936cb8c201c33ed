/**
 * How the encode runner talks to its parent. The same runner module is started by Node's
 * child_process.fork (CLI: process.send / 'message' / 'disconnect') and by Electron's
 * utilityProcess (process.parentPort with MessageEvent-style messages). This hides the difference.
 */
import type { RunnerOutbound } from './encode-types.ts';

export interface RunnerPort {
  readonly kind: 'node-ipc' | 'electron-parent-port';
  onMessage(listener: (message: unknown) => void): void;
  post(message: RunnerOutbound): void;
  /** The parent is gone: Node IPC disconnect, or (Electron) the runner was re-parented. */
  onParentGone(listener: () => void): void;
}

/** The subset of Electron's ParentPort the runner uses (no electron import: the engine is headless). */
export interface ElectronParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export interface ProcessLike {
  parentPort?: ElectronParentPortLike;
  readonly ppid?: number;
  send?: (message: unknown) => boolean;
  connected?: boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

export function detectParentPort(
  proc: ProcessLike = process as unknown as ProcessLike,
  options: { parentPollMs?: number } = {},
): RunnerPort | null {
  const parentPort = proc.parentPort;
  if (parentPort) {
    return {
      kind: 'electron-parent-port',
      onMessage: (listener) => {
        parentPort.on('message', (event) => listener(event.data));
      },
      post: (message) => parentPort.postMessage(message),
      onParentGone: (listener) => watchParentPid(proc, listener, options.parentPollMs),
    };
  }
  const send = proc.send;
  if (typeof send === 'function') {
    return {
      kind: 'node-ipc',
      onMessage: (listener) => {
        proc.on('message', listener);
      },
      post: (message) => {
        // After a disconnect there is nobody to tell; sending would throw ERR_IPC_CHANNEL_CLOSED.
        if (proc.connected !== false) send.call(proc, message);
      },
      onParentGone: (listener) => {
        proc.on('disconnect', listener);
      },
    };
  }
  return null;
}

/**
 * Electron's parentPort has no "parent gone" event. When the parent dies the runner is
 * re-parented (to init or a subreaper), so a changed ppid means nobody is waiting for the encode.
 */
function watchParentPid(proc: ProcessLike, listener: () => void, intervalMs = 1000): void {
  const original = proc.ppid;
  if (original === undefined) return;
  const timer = setInterval(() => {
    if (proc.ppid === original) return;
    clearInterval(timer);
    listener();
  }, intervalMs);
  // Kept referenced on purpose: a parentPort listener is not guaranteed to hold a utility process's
  // event loop open (packaged apps have seen runners exit before their first message). The runner
  // always leaves through serveEncodes' shutdown (SIGTERM, or this watch), which calls process.exit.
}

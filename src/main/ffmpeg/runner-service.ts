/**
 * The encode runner's message loop: one encode at a time, cancel on request, and if the parent
 * goes away, stop ffmpeg, clean up and exit, so a killed app never leaves an orphan encode.
 */
import { createLogger } from '../log/logger.ts';
import { runEncode } from './encode-job.ts';
import { parseRunnerInbound } from './encode-types.ts';
import { toFfmpegError } from './errors.ts';
import type { RunnerPort } from './runner-port.ts';

const log = createLogger('EncodeRunner');

export interface RunnerService {
  /** Cancel any encode, wait (bounded) for its cleanup, then exit. */
  shutdown(reason: string): Promise<void>;
}

export interface ServeOptions {
  exit?: (code: number) => void;
  /** Upper bound on the cleanup wait during shutdown. */
  shutdownGraceMs?: number;
}

export function serveEncodes(port: RunnerPort, options: ServeOptions = {}): RunnerService {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let current: { controller: AbortController; settled: Promise<void> } | null = null;
  let shuttingDown = false;

  const startEncode = (request: unknown) => {
    if (current) {
      port.post({ type: 'error', kind: 'invalid-request', message: 'an encode is already running here' });
      return;
    }
    const controller = new AbortController();
    const settled = runEncode(request, {
      signal: controller.signal,
      onProgress: (p) => port.post({ type: 'progress', ...p }),
      onStarted: (info) => port.post({ type: 'started', ...info }),
    })
      .then((result) => port.post({ type: 'done', result }))
      .catch((error: unknown) => {
        const typed = toFfmpegError(error);
        if (typed.kind !== 'cancelled')
          log.info('encode failed', { kind: typed.kind, message: typed.message });
        port.post({ type: 'error', kind: typed.kind, message: typed.message });
      })
      .finally(() => {
        current = null;
      });
    current = { controller, settled };
  };

  const service: RunnerService = {
    async shutdown(reason) {
      if (shuttingDown) return;
      shuttingDown = true;
      log.info('encode runner shutting down', { reason, busy: Boolean(current) });
      if (current) {
        current.controller.abort();
        const grace = new Promise<void>((resolve) =>
          setTimeout(resolve, options.shutdownGraceMs ?? 8000).unref(),
        );
        await Promise.race([current.settled, grace]);
      }
      exit(0);
    },
  };

  port.onMessage((raw) => {
    const message = parseRunnerInbound(raw);
    if (!message) {
      log.warn('ignoring an unknown message', { message: raw });
      return;
    }
    if (shuttingDown) return;
    if (message.type === 'encode') startEncode(message.request);
    else current?.controller.abort();
  });
  port.onParentGone(() => void service.shutdown('parent disconnected'));
  return service;
}

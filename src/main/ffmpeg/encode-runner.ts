/**
 * Process entry point for encodes: started with child_process.fork (CLI) or Electron's
 * utilityProcess.fork (app). Do not import this module: starting it is its only purpose.
 */
import { createLogger } from '../log/logger.ts';
import { detectParentPort } from './runner-port.ts';
import { serveEncodes } from './runner-service.ts';

const log = createLogger('EncodeRunner');
const port = detectParentPort();

if (port) {
  const service = serveEncodes(port);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void service.shutdown(signal));
  }
} else {
  log.error('encode-runner must be started as a child process (child_process.fork or utilityProcess.fork)');
  process.exitCode = 2;
}

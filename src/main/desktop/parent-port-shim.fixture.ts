/**
 * Test-only process entry: plays Electron's utility process for the runner module given as argv[2],
 * i.e. gives it a `process.parentPort` (MessageEvent-style messages) carried over Node IPC.
 */
import { pathToFileURL } from 'node:url';

const listeners: ((event: { data: unknown }) => void)[] = [];
process.on('message', (data) => {
  for (const listener of listeners) listener({ data });
});
Object.defineProperty(process, 'parentPort', {
  value: {
    on(event: string, listener: (event: { data: unknown }) => void) {
      if (event === 'message') listeners.push(listener);
    },
    postMessage(message: unknown) {
      process.send?.(message);
    },
  },
});
const runner = process.argv[2];
if (!runner) throw new Error('usage: parent-port-shim.fixture.ts RUNNER');
await import(pathToFileURL(runner).href);

/**
 * The Electron main entry: the only code that imports `electron` (with src/preload). It embeds a node
 * runtime and otherwise stays out of the way; desktop-app.ts has the life cycle, src/main/desktop the
 * logic. Runs synchronously up to `ready`: macOS may deliver `open-file` before it.
 * The runtime is the farm node `vfo node` runs (desktop/node-runtime.ts).
 */
import { createNodeRuntime } from '../desktop/node-runtime.ts';
import { bootDesktopApp } from './desktop-app.ts';

bootDesktopApp({ createRuntime: createNodeRuntime });

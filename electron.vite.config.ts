import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// The engine runs unbundled under Node in the CLI; here it is bundled into the Electron main process.
// better-sqlite3 is native and stays external (electron-builder ships it with npmRebuild: false), like
// write-file-atomic, CommonJS that needs its own __filename, and fontkit, which reads data files beside
// its own module.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The encode runner is its own entry (out/main/encode-runner.js): the app starts it with
        // utilityProcess.fork, exactly as the CLI forks its own bundled copy.
        input: { index: 'src/main/electron/index.ts', 'encode-runner': 'src/main/ffmpeg/encode-runner.ts' },
        external: ['better-sqlite3', 'write-file-atomic', 'fontkit'],
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: 'src/preload/index.ts' },
        // A sandboxed preload cannot be an ES module: one CommonJS file that only requires 'electron'.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: { rollupOptions: { input: 'src/renderer/index.html' } },
    plugins: [react()],
  },
});

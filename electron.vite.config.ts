import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// The engine runs unbundled under Node in the CLI; here it is bundled into the Electron main process.
// better-sqlite3 is native and stays external (electron-builder ships it with npmRebuild: false).
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: { index: 'src/main/electron/index.ts' },
        external: ['better-sqlite3'],
      },
    },
  },
  preload: {
    build: { rollupOptions: { input: { index: 'src/preload/index.ts' } } },
  },
  renderer: {
    root: 'src/renderer',
    build: { rollupOptions: { input: 'src/renderer/index.html' } },
    plugins: [react()],
  },
});

/**
 * Bundles the `vfo` CLI and the encode runner into out/cli. Running the sources directly works
 * (bin/vfo.js falls back to them) but loads ~340 modules and type-strips ~110 files on every start,
 * about a second; the bundle starts in a fraction of that, which matters for an instant re-render.
 * Runs on `npm ci` (prepare) and before the tests; bin/vfo.js ignores a bundle older than the sources.
 */
import { build } from 'vite';

// Native (better-sqlite3), CommonJS that needs its own __filename (write-file-atomic), or reading
// data files beside its own module (fontkit's Unicode tables): loaded from node_modules at run time
// rather than bundled into an ES module.
const EXTERNAL = ['better-sqlite3', 'write-file-atomic', 'fontkit'];

await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir: 'out/cli',
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    rollupOptions: {
      input: { main: 'src/main/cli/main.ts', 'encode-runner': 'src/main/ffmpeg/encode-runner.ts' },
      output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
      external: EXTERNAL,
    },
  },
  ssr: { noExternal: true, external: EXTERNAL },
});

#!/usr/bin/env node
// The `vfo` command. It runs the bundle in out/cli (built by `npm ci` / `npm run build:cli`) when that
// bundle is newer than every source file, and otherwise the TypeScript sources directly (Node 22.18+
// strips types), so an edited checkout never runs stale code. `npx vfo` and `npm run vfo` put the
// project's own Node 22 first on PATH.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `vfo: error: Node ${process.versions.node} is too old; run it as \`npx vfo\` (uses the project's Node 22)\n`,
  );
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestSource() {
  let newest = 0;
  for (const dir of ['src/main', 'src/shared']) {
    for (const name of readdirSync(join(root, dir), { recursive: true })) {
      if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
      newest = Math.max(newest, statSync(join(root, dir, name)).mtimeMs);
    }
  }
  return newest;
}

function bundleIfFresh() {
  const bundle = join(root, 'out', 'cli', 'main.mjs');
  try {
    return statSync(bundle).mtimeMs >= newestSource() ? bundle : null;
  } catch {
    return null;
  }
}

const entry = bundleIfFresh() ?? join(root, 'src', 'main', 'cli', 'main.ts');
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));

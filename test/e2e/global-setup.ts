/** The node serves the built UI from out/renderer: build it once before the browser tests. */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export default function globalSetup(): void {
  if (process.env.VFO_E2E_SKIP_BUILD === '1') return;
  const repo = resolve(import.meta.dirname, '../..');
  execFileSync(join(repo, 'node_modules', '.bin', 'electron-vite'), ['build'], {
    cwd: repo,
    stdio: 'inherit',
  });
}

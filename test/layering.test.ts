/** The engine never imports electron, and browser-side code never imports Node: the lint rule says so. */
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/vfo.ts';

const run = promisify(execFile);
const BIOME = join(REPO, 'node_modules', '.bin', 'biome');

async function lint(relativePath: string, source: string): Promise<{ failed: boolean; output: string }> {
  const path = join(REPO, relativePath);
  await writeFile(path, source);
  try {
    const { stdout, stderr } = await run(BIOME, ['lint', relativePath], { cwd: REPO });
    return { failed: false, output: stdout + stderr };
  } catch (error) {
    const e = error as { stdout: string; stderr: string };
    return { failed: true, output: e.stdout + e.stderr };
  } finally {
    await rm(path, { force: true });
  }
}

const ELECTRON = "import { app } from 'electron';\nexport const probe = app;\n";
const NODE_FS = "import { readFileSync } from 'node:fs';\nexport const probe = readFileSync;\n";

describe('layering lint rule', () => {
  it('rejects electron in the engine', async () => {
    const result = await lint(`src/main/engine/layering-probe-${process.pid}.ts`, ELECTRON);
    expect(result.failed).toBe(true);
    expect(result.output).toContain('Bad layering');
  });

  it('rejects Node modules in shared and renderer code', async () => {
    const result = await lint(`src/shared/layering-probe-${process.pid}.ts`, NODE_FS);
    expect(result.failed).toBe(true);
    expect(result.output).toContain('Bad layering');
  });

  it('allows electron in the Electron shell', async () => {
    const result = await lint(`src/main/electron/layering-probe-${process.pid}.ts`, ELECTRON);
    expect(result.output).not.toContain('Bad layering');
    expect(result.failed).toBe(false);
  });
});

/**
 * The layers of docs/ARCHITECTURE.md hold because the linter refuses what breaks them: electron outside
 * the shell, Node in browser code, an import that points up a layer, and any import cycle.
 */
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

  const UP: [string, string][] = [
    ['src/main/farm/node', '../../api/dispatch.ts'],
    ['src/main/farm/node', '../../app/open-app.ts'],
    ['src/main/api', '../cli/main.ts'],
    ['src/main/engine', '../pipeline/index.ts'],
    ['src/main/pipeline', '../farm/net/index.ts'],
    ['src/main/script', '../engine/engine.ts'],
    ['src/main/farm/node', '../../ops/index.ts'],
    ['src/main/ops', '../farm/node/farm-node.ts'],
    ['src/shared', '../main/paths.ts'],
  ];
  for (const [folder, target] of UP) {
    it(`rejects an import up the layers: ${folder} → ${target}`, async () => {
      const result = await lint(`${folder}/layering-probe-${process.pid}.ts`, `export * from '${target}';\n`);
      expect(result.failed).toBe(true);
      expect(result.output).toContain('Bad layering');
    });
  }

  it('allows an import down the layers (the app uses the farm; the farm the engine)', async () => {
    for (const [folder, target] of [
      ['src/main/app', '../farm/net/index.ts'],
      ['src/main/farm/node', '../../engine/errors.ts'],
    ] as const) {
      const result = await lint(`${folder}/layering-probe-${process.pid}.ts`, `export * from '${target}';\n`);
      expect(result.output).not.toContain('Bad layering');
      expect(result.failed).toBe(false);
    }
  });

  it('rejects an import cycle, even of types only', async () => {
    const a = `src/main/util/cycle-a-${process.pid}.ts`;
    const b = `src/main/util/cycle-b-${process.pid}.ts`;
    await writeFile(
      join(REPO, b),
      `import type { A } from './cycle-a-${process.pid}.ts';\nexport type B = A[];\n`,
    );
    try {
      const result = await lint(
        a,
        `import type { B } from './cycle-b-${process.pid}.ts';\nexport type A = { b: B };\n`,
      );
      expect(result.failed).toBe(true);
      expect(result.output).toContain('noImportCycles');
    } finally {
      await rm(join(REPO, b), { force: true });
    }
  });
});

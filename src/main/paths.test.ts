import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rendererDir } from './paths.ts';

const root = mkdtempSync(join(tmpdir(), 'vfo-paths-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('rendererDir', () => {
  it('finds the page beside the bundle in the packaged app, not beside its resources', () => {
    // The layout electron-builder makes: the bundle in app.asar, the engine's resources beside it.
    // Installed under a folder named src, too.
    const contents = join(root, 'src', 'Video Factory.app', 'Contents');
    const out = join(contents, 'Resources', 'app.asar', 'out');
    mkdirSync(join(out, 'main', 'chunks'), { recursive: true });
    mkdirSync(join(out, 'renderer'), { recursive: true });
    writeFileSync(join(out, 'renderer', 'index.html'), '<!doctype html>');
    const env = { VFO_RESOURCES_DIR: join(contents, 'Resources') };
    expect(rendererDir(env, join(out, 'main'))).toBe(join(out, 'renderer'));
    expect(rendererDir(env, join(out, 'main', 'chunks'))).toBe(join(out, 'renderer'));
  });

  it('takes the checkout’s built page when running from the sources, and VFO_RENDERER_DIR first', () => {
    const checkout = join(root, 'checkout');
    mkdirSync(join(checkout, 'resources'), { recursive: true });
    const env = { VFO_RESOURCES_DIR: join(checkout, 'resources') };
    expect(rendererDir(env, join(checkout, 'src', 'main'))).toBe(join(checkout, 'out', 'renderer'));
    expect(rendererDir({ ...env, VFO_RENDERER_DIR: join(root, 'page') }, join(checkout, 'src', 'main'))).toBe(
      join(root, 'page'),
    );
  });
});

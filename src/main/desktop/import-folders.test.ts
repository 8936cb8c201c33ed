/**
 * A folder dropped on the Dock icon: its scripts are found, the media each names are stored in the
 * node (only media files, only with the bytes declared) and travel with the script into its job.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVfoService, type ServiceDeps } from '../api/service.ts';
import { type App, openApp } from '../app/open-app.ts';
import { solidPngBytes } from '../ffmpeg/test-fixtures.ts';
import { wantedMedia } from '../intake/media-upload.ts';
import { sha256Hex } from '../util/hash.ts';
import { importScriptPaths } from './import-scripts.ts';
import { storeLocalMedia } from './local-media.ts';

let top: string;
let app: App;
beforeEach(async () => {
  top = await mkdtemp(join(tmpdir(), 'vf-import-folder-'));
  app = await openApp({ data: join(top, 'data') });
});
afterEach(async () => {
  await app.close();
  await rm(top, { recursive: true, force: true });
});

describe('a folder dropped on the Dock', () => {
  it('queues its scripts with the media they name, stored in the node', async () => {
    const folder = join(top, 'course');
    await mkdir(join(folder, 'fotos'), { recursive: true });
    await mkdir(join(folder, 'part2'));
    // A real picture: what each medium holds is probed before a job is made.
    const picture = solidPngBytes('teal');
    await writeFile(join(folder, 'fotos', 'x.png'), picture);
    await writeFile(join(folder, 'intro.md'), '# Intro\n\nHello there. [image fotos/x.png]\n');
    await writeFile(join(folder, 'part2', 'more.md'), '# More\n\nAnd more. [image fotos/x.png]\n');
    const service = createVfoService({
      engine: app.engine,
      db: app.db,
      dataDir: app.dataDir,
      blobs: app.blobs,
      services: app.services,
      runInBackground: () => undefined,
      // Importing scripts never reaches the farm.
      farm: {} as ServiceDeps['farm'],
    });
    const storeMedia = (path: string, sha256: string) =>
      storeLocalMedia(app.blobs, app.dataDir, path, sha256);
    const report = await importScriptPaths({ service, storeMedia }, [folder]);
    if (!report.ok) throw new Error(report.message);
    expect(report.outcomes.map((o) => [o.name, o.queued])).toEqual([
      ['intro.md', true],
      // part2/ has no fotos/: its script names a picture that is not beside it.
      ['more.md', false],
    ]);
    expect(report.outcomes[0]?.check.media).toEqual([
      { kind: 'image', path: 'fotos/x.png', line: 3, col: 14, found: true },
    ]);
    expect(report.outcomes[1]?.check.diagnostics.map((d) => d.message)).toEqual([
      'image not found: fotos/x.png',
    ]);
    expect(await wantedMedia(app.blobs, [sha256Hex(picture)])).toEqual([]);
  });

  it('stores only media files, and only with the bytes declared', async () => {
    await writeFile(join(top, 'notes.txt'), 'text');
    await writeFile(join(top, 'y.png'), 'a picture');
    const store = (path: string, sha256: string) => storeLocalMedia(app.blobs, app.dataDir, path, sha256);
    expect(await store(join(top, 'notes.txt'), sha256Hex('text'))).toMatchObject({ ok: false });
    expect(await store(join(top, 'y.png'), sha256Hex('other bytes'))).toMatchObject({ ok: false });
    expect(await wantedMedia(app.blobs, [sha256Hex('other bytes')])).toHaveLength(1);
    expect(await store(join(top, 'y.png'), sha256Hex('a picture'))).toEqual({ ok: true });
  });
});

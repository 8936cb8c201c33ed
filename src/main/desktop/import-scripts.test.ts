import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArgsOf } from '../../shared/contract.ts';
import { importScriptPaths, readScriptUploads } from './import-scripts.ts';
import { fakeService } from './service.fixture.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vf-import-'));
  writeFileSync(join(dir, 'intro.md'), '# Hello\n\nHi there.\n');
  writeFileSync(join(dir, 'notes.txt'), 'Plain text.\n');
  writeFileSync(join(dir, 'big.md'), 'x'.repeat(3000));
  writeFileSync(join(dir, 'photo.png'), 'png');
  mkdirSync(join(dir, 'folder.md'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the node answers an import when it queues none of the scripts. */
const outcomesOf = (args: ArgsOf<'scripts.import'>) =>
  args.scripts.map((s) => ({
    name: s.name,
    queued: false as const,
    check: {
      name: s.name,
      ok: false,
      diagnostics: [],
      media: [],
      title: null,
      scenes: [],
      estimatedSeconds: 0,
    },
  }));

const noStore = async () => ({ ok: false as const, error: { code: 'invalid', message: 'no store here' } });

describe('readScriptUploads', () => {
  it('reads scripts once each and says why the others were skipped', async () => {
    const paths = ['intro.md', 'notes.txt', 'intro.md', 'big.md', 'photo.png', 'folder.md', 'missing.md'].map(
      (p) => join(dir, p),
    );
    const result = await readScriptUploads(paths, 2048);
    expect(result.scripts.map((s) => s.upload)).toEqual([
      { name: 'intro.md', text: '# Hello\n\nHi there.\n' },
      { name: 'notes.txt', text: 'Plain text.\n' },
    ]);
    expect(result.unreadable.map((u) => [u.name, u.reason])).toEqual([
      ['folder.md', 'a folder with no scripts'],
      ['big.md', 'larger than 2 kB'],
      ['photo.png', 'not a script (.md, .markdown or .txt)'],
      ['missing.md', 'the file cannot be found'],
    ]);
  });

  // Found by reviewing the shell: a folder's `notes.md -> ~/.aws/credentials` was refused by the
  // folder walk, but read and narrated when the file itself was given (a drop, the command line).
  it('reads a script given by a link only when the link stays inside its folder', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'vf-outside-'));
    try {
      writeFileSync(join(outside, 'credentials'), 'aws_secret_access_key = hunter2\n');
      const folder = join(dir, 'downloaded');
      mkdirSync(folder);
      symlinkSync(join(outside, 'credentials'), join(folder, 'notes.md'));
      symlinkSync(join(dir, 'intro.md'), join(folder, 'same.md'));
      writeFileSync(join(folder, 'own.md'), '# Own\n\nMine.\n');
      symlinkSync(join(folder, 'own.md'), join(folder, 'alias.md'));
      const result = await readScriptUploads(
        ['notes.md', 'same.md', 'alias.md'].map((name) => join(folder, name)),
        2048,
      );
      expect(result.scripts.map((s) => s.upload)).toEqual([{ name: 'alias.md', text: '# Own\n\nMine.\n' }]);
      expect(result.unreadable.map((u) => [u.name, u.reason])).toEqual([
        ['notes.md', 'a link to a file outside its folder'],
        ['same.md', 'a link to a file outside its folder'],
      ]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('importScriptPaths', () => {
  it('sends the texts to scripts.import and returns its outcomes', async () => {
    const calls: ArgsOf<'scripts.import'>[] = [];
    const service = fakeService({
      'scripts.import': async (args) => {
        calls.push(args);
        return outcomesOf(args);
      },
    });
    const report = await importScriptPaths({ service, storeMedia: noStore }, [
      join(dir, 'intro.md'),
      join(dir, 'missing.md'),
    ]);
    expect(calls).toEqual([{ scripts: [{ name: 'intro.md', text: '# Hello\n\nHi there.\n' }] }]);
    expect(report.ok && report.outcomes.map((o) => o.name)).toEqual(['intro.md']);
    expect(report.unreadable.map((u) => u.name)).toEqual(['missing.md']);
  });

  it('does not call the service when nothing is readable, and passes its refusal on', async () => {
    const untouched = fakeService({
      'scripts.import': async () => {
        throw new Error('must not be called');
      },
    });
    expect(
      await importScriptPaths({ service: untouched, storeMedia: noStore }, [join(dir, 'photo.png')]),
    ).toMatchObject({
      ok: true,
      outcomes: [],
    });
    const refusing = fakeService();
    expect(
      await importScriptPaths({ service: refusing, storeMedia: noStore }, [join(dir, 'intro.md')]),
    ).toMatchObject({
      ok: false,
      message: 'fake',
    });
  });
});

// Found by attacking the desktop glue.
describe('importing a large or odd folder', () => {
  it('sends a folder of more than 200 scripts in several calls (one call refused them all)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'vf-import-many-'));
    try {
      for (let i = 0; i < 201; i++)
        writeFileSync(join(folder, `s${String(i).padStart(3, '0')}.md`), '# S\n\nHi.\n');
      const sizes: number[] = [];
      const service = fakeService({
        'scripts.import': async (args) => {
          sizes.push(args.scripts.length);
          return outcomesOf(args);
        },
      });
      const report = await importScriptPaths({ service, storeMedia: noStore }, [folder]);
      expect(sizes).toEqual([200, 1]);
      expect(report.ok && report.outcomes.length).toBe(201);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('leaves a file name no script can write out of the check, instead of losing every medium', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'vf-import-odd-'));
    try {
      mkdirSync(join(folder, 'fotos'));
      writeFileSync(join(folder, 'fotos', 'x.png'), 'a picture');
      writeFileSync(join(folder, 'odd\\name.png'), 'a backslash is a legal name on a Mac');
      writeFileSync(join(folder, 'intro.md'), '# Intro\n\nHi. [image fotos/x.png]\n');
      const checked: string[][] = [];
      const service = fakeService({
        'scripts.check': async (args) => {
          checked.push(args.files ?? []);
          return { ...outcomesOf({ scripts: [args.script] })[0]?.check, name: args.script.name } as never;
        },
        'scripts.import': async (args) => outcomesOf(args),
      });
      await importScriptPaths({ service, storeMedia: noStore }, [join(folder, 'intro.md')]);
      expect(checked).toEqual([['fotos/x.png']]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

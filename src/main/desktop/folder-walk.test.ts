import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FOLDER_LIMITS, filesUnder } from './folder-walk.ts';

let top: string;
beforeEach(async () => {
  top = await mkdtemp(join(tmpdir(), 'vf-walk-'));
});
afterEach(() => rm(top, { recursive: true, force: true }));

const isScript = (name: string) => name.endsWith('.md');

// Found by attacking the desktop glue: a downloaded folder's `notes.md -> ../../.aws/credentials` was
// listed, then read, imported and narrated.
describe('walking a dropped folder', () => {
  it('lists a symlinked file only if it leads to a file inside the folder', async () => {
    const folder = join(top, 'course');
    await mkdir(join(folder, 'parts'), { recursive: true });
    await mkdir(join(top, 'secret'));
    await writeFile(join(top, 'secret', 'credentials.md'), 'the key');
    await writeFile(join(folder, 'intro.md'), '# Intro');
    await symlink(join(top, 'secret', 'credentials.md'), join(folder, 'notes.md'));
    await symlink('../intro.md', join(folder, 'parts', 'again.md'));
    await symlink(join(top, 'secret'), join(folder, 'linked-folder'));
    await symlink(join(folder, 'parts'), join(folder, 'folder.md'));
    await symlink(join(folder, 'nowhere.md'), join(folder, 'dangling.md'));
    expect(await filesUnder(folder, isScript)).toEqual(['intro.md', 'parts/again.md']);
  });

  it('stops after so many entries read, not only so many files kept', async () => {
    const folder = join(top, 'home');
    await mkdir(folder);
    // No file is kept: the walk still ends at its entry budget.
    const subfolders = Math.ceil(FOLDER_LIMITS.maxEntries / 1000) + 2;
    for (let d = 0; d < subfolders; d++) {
      const sub = join(folder, `d${String(d).padStart(3, '0')}`);
      await mkdir(sub);
      await Promise.all(Array.from({ length: 1000 }, (_, i) => writeFile(join(sub, `f${i}.txt`), '')));
    }
    await writeFile(join(folder, 'zzz-last.md'), '# Found only if the whole tree was read');
    expect(await filesUnder(folder, isScript)).toEqual([]);
    await writeFile(join(folder, 'a-first.md'), '# Before the budget runs out');
    expect(await filesUnder(folder, isScript)).toEqual(['a-first.md']);
  }, 60_000);
});

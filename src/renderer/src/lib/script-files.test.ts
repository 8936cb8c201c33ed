import { describe, expect, it } from 'vitest';
import {
  collectScriptFiles,
  type EntryLike,
  isScriptName,
  MAX_WALKED_FILES,
  splitScriptFiles,
} from './script-files.ts';

const fileEntry = (name: string): EntryLike => ({
  isFile: true,
  isDirectory: false,
  name,
  file: (success) => success(new File([`# ${name}`], name)),
});

/** A folder whose reader hands out its children in batches of two, like Chromium's (of 100). */
const folder = (name: string, children: EntryLike[]): EntryLike => ({
  isFile: false,
  isDirectory: true,
  name,
  createReader() {
    let offset = 0;
    return {
      readEntries(success) {
        const batch = children.slice(offset, offset + 2);
        offset += batch.length;
        success(batch);
      },
    };
  },
});

describe('script files', () => {
  it('recognises .md, .markdown and .txt, not hidden or other files', () => {
    expect(isScriptName('intro.md')).toBe(true);
    expect(isScriptName('NOTES.TXT')).toBe(true);
    expect(isScriptName('long.markdown')).toBe(true);
    expect(isScriptName('title.png')).toBe(false);
    expect(isScriptName('.hidden.md')).toBe(false);
    expect(isScriptName('md')).toBe(false);
  });

  it('walks folders (every batch), in name order, skipping hidden entries and listing the rest', async () => {
    const dropped = [
      fileEntry('loose.md'),
      folder('course', [
        fileEntry('b.md'),
        fileEntry('a.txt'),
        fileEntry('cover.png'),
        folder('.git', [fileEntry('HEAD.md')]),
        folder('part2', [fileEntry('c.md')]),
      ]),
    ];
    const { scripts, ignored } = await collectScriptFiles(dropped);
    expect(scripts.map((file) => file.name)).toEqual(['loose.md', 'a.txt', 'b.md', 'c.md']);
    expect(ignored).toEqual(['cover.png']);
    expect(await scripts[0]?.text()).toBe('# loose.md');
  });

  it('stops after a bounded number of files', async () => {
    const many = Array.from({ length: MAX_WALKED_FILES + 20 }, (_, i) =>
      fileEntry(`s${String(i).padStart(4, '0')}.md`),
    );
    const { scripts } = await collectScriptFiles([folder('big', many)]);
    expect(scripts).toHaveLength(MAX_WALKED_FILES);
  });

  it('splits a flat list from a file picker', () => {
    const { scripts, ignored } = splitScriptFiles([new File(['x'], 'a.md'), new File(['y'], 'b.mov')]);
    expect(scripts.map((file) => file.name)).toEqual(['a.md']);
    expect(ignored).toEqual(['b.mov']);
  });
});

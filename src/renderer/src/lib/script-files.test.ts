import { describe, expect, it } from 'vitest';
import { FOLDER_LIMITS } from '../../../shared/folder-limits.ts';
import {
  collectDroppedFiles,
  type EntryLike,
  isMediaName,
  isScriptName,
  MAX_WALKED_FILES,
  mediaBesides,
  splitDroppedFiles,
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

  it('walks folders (every batch), in name order, skipping hidden entries, keeping media with their paths', async () => {
    const dropped = [
      fileEntry('loose.md'),
      folder('course', [
        fileEntry('b.md'),
        fileEntry('a.txt'),
        fileEntry('cover.png'),
        fileEntry('notes.pdf'),
        folder('.git', [fileEntry('HEAD.md')]),
        folder('part2', [fileEntry('c.md'), fileEntry('clip.MP4')]),
      ]),
    ];
    const { scripts, media, ignored } = await collectDroppedFiles(dropped);
    expect(scripts.map((s) => s.path)).toEqual([
      'loose.md',
      'course/a.txt',
      'course/b.md',
      'course/part2/c.md',
    ]);
    expect(media.map((m) => m.path)).toEqual(['course/cover.png', 'course/part2/clip.MP4']);
    expect(ignored).toEqual(['notes.pdf']);
    expect(await scripts[0]?.file.text()).toBe('# loose.md');
  });

  it('gives each script the media of its folder and below, by the path it names them with', async () => {
    const { scripts, media } = await collectDroppedFiles([
      folder('talk', [
        fileEntry('talk.md'),
        folder('fotos', [fileEntry('x.png')]),
        folder('sub', [fileEntry('s.md')]),
      ]),
      fileEntry('song.mp3'),
    ]);
    const [sub, talk] = scripts;
    expect(Object.keys(mediaBesides(talk?.path as string, media))).toEqual(['fotos/x.png']);
    expect(Object.keys(mediaBesides(sub?.path as string, media))).toEqual([]);
    // A script dropped with loose media lies beside them.
    expect(Object.keys(mediaBesides('loose.md', media))).toEqual(['talk/fotos/x.png', 'song.mp3']);
    expect(isMediaName('bed.flac') && isMediaName('a.webm') && !isMediaName('.x.png')).toBe(true);
  });

  it('stops after a bounded number of files', async () => {
    const many = Array.from({ length: MAX_WALKED_FILES + 20 }, (_, i) =>
      fileEntry(`s${String(i).padStart(4, '0')}.md`),
    );
    const { scripts } = await collectDroppedFiles([folder('big', many)]);
    expect(scripts).toHaveLength(MAX_WALKED_FILES);
  });

  // Found by reviewing the shell: the page's walk read every entry of what was dropped.
  it('reads a bounded number of entries of any kind, and goes a bounded number of folders deep', async () => {
    let reads = 0;
    const counted = (name: string, children: EntryLike[]): EntryLike => {
      const inner = folder(name, children) as Extract<EntryLike, { isDirectory: true }>;
      return {
        ...inner,
        createReader() {
          const reader = inner.createReader();
          return {
            readEntries(success, failure) {
              reads++;
              reader.readEntries(success, failure);
            },
          };
        },
      };
    };
    const empties = Array.from({ length: 30_000 }, (_, i) => counted(`d${i}`, []));
    await collectDroppedFiles([counted('top', empties)]);
    // Batches of two: 20,000 entries are 10,000 reads of the top folder, and each folder read once.
    expect(reads).toBeLessThanOrEqual(FOLDER_LIMITS.maxEntries / 2 + FOLDER_LIMITS.maxEntries + 1);

    let deep: EntryLike = fileEntry('bottom.md');
    for (let level = 0; level < 20; level++) deep = folder(`l${level}`, [deep, fileEntry(`at${level}.md`)]);
    const { scripts } = await collectDroppedFiles([deep]);
    expect(scripts.length).toBe(FOLDER_LIMITS.maxDepth);
    expect(scripts.map((s) => s.file.name)).not.toContain('bottom.md');
  });

  it('splits a flat list from a file picker', () => {
    const { scripts, media, ignored } = splitDroppedFiles([
      new File(['x'], 'a.md'),
      new File(['y'], 'b.mov'),
      new File(['z'], 'c.doc'),
    ]);
    expect(scripts.map((s) => s.path)).toEqual(['a.md']);
    expect(media.map((m) => m.path)).toEqual(['b.mov']);
    expect(ignored).toEqual(['c.doc']);
  });
});

import { mkdir, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from './diagnostics.ts';
import { parseScriptFile, parseScriptText } from './parser.ts';
import { readScriptMeta } from './script-meta.ts';
import type { ParseResult } from './types.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vf-script-input-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function errorsOf(result: ParseResult): string[] {
  if (result.ok) throw new Error('expected the script to be rejected');
  return result.diagnostics.map(formatDiagnostic);
}

describe('parseScriptFile input checks', () => {
  it('parses a small .md file', async () => {
    const path = join(dir, 'hello.md');
    await writeFile(path, 'Hello world.\n');
    const result = await parseScriptFile(path);
    expect(result.ok && result.document.scenes[0]?.items[0]).toMatchObject({ text: 'Hello world.' });
  });

  // Found by attacking scripts: read as far as its size said, a file whose size says 0 (under /proc,
  // or one still being written) was cut to one byte, without a word.
  it('reads a script to its end whatever its size said', async () => {
    const path = join(dir, 'status.md');
    await symlink('/proc/self/status', path);
    const result = await parseScriptFile(path);
    const text = result.ok
      ? result.document.scenes.flatMap((s) => s.items.map((i) => ('text' in i ? i.text : ''))).join(' ')
      : '';
    expect(text).toMatch(/^Name: /);
    expect(text).toMatch(/VmRSS/);
  });

  it('accepts .txt and .markdown', async () => {
    for (const name of ['a.txt', 'b.markdown', 'C.MD']) {
      await writeFile(join(dir, name), 'Hi there.');
      expect((await parseScriptFile(join(dir, name))).ok).toBe(true);
    }
  });

  it('rejects an unsupported extension without reading', async () => {
    const path = join(dir, 'script.docx');
    await writeFile(path, 'Hello.');
    expect(errorsOf(await parseScriptFile(path))).toEqual([
      `${path}:1:1: error: unsupported script type (extension ".docx"); use .md, .markdown, .txt`,
    ]);
  });

  it('reports a missing file and a directory as errors', async () => {
    const missing = join(dir, 'nope.md');
    expect(errorsOf(await parseScriptFile(missing))).toEqual([
      `${missing}:1:1: error: cannot read script: file not found`,
    ]);
    const folder = join(dir, 'folder.md');
    await mkdir(folder);
    expect(errorsOf(await parseScriptFile(folder))[0]).toContain('not a regular file');
  });

  it('rejects a 30 MB file from its size alone, without reading it', async () => {
    const path = join(dir, 'huge.md');
    // A sparse file of zeros: if it were read, the NUL check would fire instead of the size check.
    const handle = await open(path, 'w');
    await handle.truncate(30 * 1024 * 1024);
    await handle.close();
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const errors = errorsOf(await parseScriptFile(path));
    expect(errors).toEqual([`${path}:1:1: error: script is 30.0 MB; the limit is 2.0 MB`]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(20 * 1024 * 1024);
  });

  it('honours a custom maxBytes', async () => {
    const path = join(dir, 'small.md');
    await writeFile(path, 'x'.repeat(2000));
    expect(errorsOf(await parseScriptFile(path, { maxBytes: 1024 }))[0]).toContain(
      'script is 2.0 KB; the limit is 1.0 KB',
    );
  });

  it('rejects NUL bytes with their location', async () => {
    const path = join(dir, 'binary.md');
    await writeFile(path, Buffer.from('Hello.\nab\0cd\n'));
    expect(errorsOf(await parseScriptFile(path))).toEqual([
      `${path}:2:3: error: script contains a NUL byte; it looks like a binary file`,
    ]);
  });

  it('rejects invalid UTF-8 with its location', async () => {
    const path = join(dir, 'latin1.md');
    // "Olá" saved as Latin-1 on line 2: 0xE1 is not valid UTF-8 here.
    await writeFile(
      path,
      Buffer.concat([Buffer.from('Hello.\r\nOl'), Buffer.from([0xe1]), Buffer.from(' mundo.')]),
    );
    expect(errorsOf(await parseScriptFile(path))).toEqual([
      `${path}:2:3: error: script is not valid UTF-8 text (binary file or wrong encoding)`,
    ]);
  });

  it('rejects UTF-16 with a hint', async () => {
    const path = join(dir, 'utf16.md');
    await writeFile(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Hi.', 'utf16le')]));
    expect(errorsOf(await parseScriptFile(path))[0]).toContain('save it as UTF-8');
  });

  it('strips a UTF-8 BOM so front matter and columns are unaffected', async () => {
    const path = join(dir, 'bom.md');
    await writeFile(
      path,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('---\ntitle: T\n---\nHi.')]),
    );
    const result = await parseScriptFile(path);
    expect(result.ok && result.document.meta.title).toBe('T');
    expect(result.ok && result.document.scenes[0]?.items[0]).toMatchObject({ line: 4, col: 1 });
  });

  it('rejects empty and whitespace-only scripts', async () => {
    for (const content of ['', '  \n\t\r\n ']) {
      const path = join(dir, 'empty.md');
      await writeFile(path, content);
      expect(errorsOf(await parseScriptFile(path))).toEqual([`${path}:1:1: error: script is empty`]);
    }
    expect(errorsOf(parseScriptText('\uFEFF', 'x.md'))).toEqual(['x.md:1:1: error: script is empty']);
  });
});

describe('readScriptMeta', () => {
  it('returns the front matter only', async () => {
    const path = join(dir, 'meta.md');
    await writeFile(path, '---\nrecipe: shorts\nvoice: "offline-es"\n---\n[nonsense] text');
    expect(await readScriptMeta(path)).toEqual({ recipe: 'shorts', voice: 'offline-es' });
  });

  it('returns {} instead of throwing for unreadable input', async () => {
    expect(await readScriptMeta(join(dir, 'missing.md'))).toEqual({});
    const path = join(dir, 'bad.md');
    await writeFile(path, '---\ntitle: never closed\n');
    expect(await readScriptMeta(path)).toEqual({});
  });
});

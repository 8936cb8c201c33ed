/** Clips, music and the media list: what a script names, where it lies, and how it is reported. */
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DIRECTION_MAPS } from './default-directions.ts';
import { formatDiagnostic } from './diagnostics.ts';
import { validateDirectionMap } from './direction-map-schema.ts';
import { relativeMediaPath } from './media-path.ts';
import { type ParseOptions, parseScriptText } from './parser.ts';
import type { ParseResult, ScriptDocument } from './types.ts';

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'vf-script-media-')));
  await mkdir(join(dir, 'clips'));
  await mkdir(join(dir, 'music'));
  for (const file of ['clips/intro.mp4', 'clips/my clip.mov', 'music/bed.mp3', 'music/calm.flac', 'x.png'])
    await writeFile(join(dir, file), 'media');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const parse = (text: string, options?: ParseOptions): ParseResult =>
  parseScriptText(text, join(dir, 'talk.md'), options);

function parseOk(text: string, options?: ParseOptions): ScriptDocument {
  const result = parse(text, options);
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
  return result.document;
}

/** Diagnostics as "line:col: severity: message". */
function problems(text: string, options?: ParseOptions): string[] {
  const result = parse(text, options);
  const list = result.ok ? result.document.warnings : result.diagnostics;
  return list.map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`);
}

describe('[clip ...]', () => {
  it("makes a file in the script's folder the scene's visual, with an optional range", () => {
    const doc = parseOk(
      '# One\n[clip clips/intro.mp4] Hello.\n# Two\n[clip clips/my clip.mov 12s-20.5s] Again.\n# Three\n[clip clips/intro.mp4 1:05-1:20] End.',
    );
    const [one, two, three] = doc.scenes;
    expect(one?.clip).toEqual({
      written: 'clips/intro.mp4',
      path: join(dir, 'clips/intro.mp4'),
      line: 2,
      col: 1,
    });
    expect(two?.clip).toMatchObject({
      written: 'clips/my clip.mov',
      range: { startMs: 12_000, endMs: 20_500 },
    });
    expect(three?.clip?.range).toEqual({ startMs: 65_000, endMs: 80_000 });
    // A clip does not split a sentence, and is not spoken.
    expect(one?.items.map((i) => (i.kind === 'speech' ? i.text : ''))).toEqual(['Hello.']);
  });

  it('reports a missing clip, a wrong type and a backwards range where they are written', () => {
    expect(problems('Hi. [clip clips/gone.mp4]\nAnd [clip x.png].\n[clip clips/intro.mp4 20s-12s]')).toEqual([
      '1:5: error: clip not found: clips/gone.mp4',
      '2:5: error: clip "x.png" must be a .mp4, .mov, .m4v, .webm, .mkv file',
      '3:1: error: the clip range in "[clip clips/intro.mp4 20s-12s]" must end at least 0.1 s after it starts',
    ]);
  });

  it('shows one visual per scene: an image then a clip keeps the clip, with a warning', () => {
    const doc = parseOk('# Scene\n[image x.png] Hi. [clip clips/intro.mp4]');
    expect(doc.scenes[0]?.image).toBeUndefined();
    expect(doc.scenes[0]?.clip?.written).toBe('clips/intro.mp4');
    expect(doc.warnings.map((d) => d.message)).toEqual([
      'scene "Scene" already has an image; the last one wins',
    ]);
  });
});

describe('music', () => {
  it('takes a bed from the front matter and changes it at scenes, or turns it off', () => {
    const doc = parseOk(
      '---\nmusic: music/bed.mp3\n---\n# A\nHi.\n# B\n[music music/calm.flac] Then.\n# C\n[music off] Quiet.',
    );
    expect(doc.music).toEqual({
      kind: 'file',
      media: { written: 'music/bed.mp3', path: join(dir, 'music/bed.mp3'), line: 2, col: 8 },
    });
    expect(doc.scenes.map((s) => s.music?.kind)).toEqual([undefined, 'file', 'off']);
    expect(parseOk('---\nmusic: off\n---\nHi.').music).toEqual({ kind: 'off', line: 2, col: 8 });
  });

  it('reports missing and unsupported music at the place it is named', () => {
    expect(problems('---\nmusic: music/gone.m4a\n---\nHi. [music music/x.ogg]')).toEqual([
      '2:8: error: music not found: music/gone.m4a',
      '4:5: error: music "music/x.ogg" must be a .mp3, .m4a, .wav, .flac file',
    ]);
  });

  it('speaks Spanish and Portuguese too, and the built-in maps are valid configuration', () => {
    const es = parseOk('---\nlanguage: es\n---\n[video clips/intro.mp4] Hola. [música apagada]');
    expect(es.scenes[0]?.clip?.written).toBe('clips/intro.mp4');
    expect(es.scenes[0]?.music).toMatchObject({ kind: 'off' });
    const pt = parseOk('---\nlanguage: pt-BR\n---\n[clipe clips/intro.mp4] Olá. [música music/bed.mp3]');
    expect(pt.scenes[0]?.music).toMatchObject({ kind: 'file', media: { written: 'music/bed.mp3' } });
    for (const map of Object.values(DEFAULT_DIRECTION_MAPS)) expect(validateDirectionMap(map).ok).toBe(true);
  });
});

describe('title and thumbnail in the front matter', () => {
  it('reads a subtitle and a thumbnail image checked like every media path, listed with the media', () => {
    const result = parse('---\ntitle: Rivers\nsubtitle: "Part one: the source"\nthumbnail: x.png\n---\nHi.');
    if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
    expect(result.document.meta).toMatchObject({ title: 'Rivers', subtitle: 'Part one: the source' });
    expect(result.document.thumbnail).toEqual({
      written: 'x.png',
      path: join(dir, 'x.png'),
      line: 4,
      col: 12,
    });
    expect(result.document.media).toEqual([{ kind: 'image', path: 'x.png', line: 4, col: 12, found: true }]);
  });

  it('reports a missing, outside or non-image thumbnail and an overlong subtitle at their places', () => {
    expect(problems('---\nthumbnail: covers/gone.png\n---\nHi.')).toEqual([
      '2:12: error: image not found: covers/gone.png',
    ]);
    expect(problems('---\nthumbnail: ../x.png\n---\nHi.')).toEqual([
      '2:12: error: image not found: ../x.png',
    ]);
    expect(problems('---\nthumbnail: music/bed.mp3\n---\nHi.')).toEqual([
      '2:12: error: image "music/bed.mp3" must be a .png, .jpg, .jpeg, .webp file',
    ]);
    expect(problems(`---\nsubtitle: ${'s'.repeat(501)}\n---\nHi.`)).toEqual([
      '2:11: error: subtitle is 501 characters; the limit is 500',
    ]);
  });
});

describe('the media list', () => {
  it('names every media file, found or missing, in the order written', () => {
    const result = parse(
      '---\nmusic: music/bed.mp3\n---\n[image x.png] Hi. [image fotos/x.png] [clip clips/intro.mp4]',
    );
    expect(result.ok).toBe(false);
    const media = result.ok ? [] : result.media;
    expect(media).toEqual([
      { kind: 'music', path: 'music/bed.mp3', line: 2, col: 8, found: true },
      { kind: 'image', path: 'x.png', line: 4, col: 1, found: true },
      { kind: 'image', path: 'fotos/x.png', line: 4, col: 19, found: false },
      { kind: 'clip', path: 'clips/intro.mp4', line: 4, col: 39, found: true },
    ]);
  });

  it('counts files that travel with an upload as found, at the place they will have', () => {
    const places = { scriptDir: join(dir, 'upload'), roots: [], protectedDirs: [] };
    const incoming = new Set(['fotos/x.png']);
    const doc = parseOk('[image ./fotos//x.png] Hi.', { media: { ...places, incoming } });
    expect(doc.scenes[0]?.image?.path).toBe(join(dir, 'upload', 'fotos/x.png'));
    expect(problems('[image fotos/y.png] Hi.', { media: { ...places, incoming } })).toEqual([
      '1:1: error: image not found: fotos/y.png',
    ]);
    // Listing what a sender must send: any relative path inside the folder, never one that leaves it.
    expect(
      problems('[image a/b.png] Hi. [image ../x.png]', { media: { ...places, incoming: 'any' } }),
    ).toEqual(['1:21: error: image not found: ../x.png']);
  });

  it('files each relative path under one canonical name', () => {
    expect(relativeMediaPath('./fotos//x.png')).toBe('fotos/x.png');
    expect(relativeMediaPath('fotos/../x.png')).toBe('x.png');
    for (const outside of ['../x.png', 'a/../../x.png', '/etc/x.png', 'a\\b.png', '.', ''])
      expect(relativeMediaPath(outside)).toBeNull();
  });
});

import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from './diagnostics.ts';
import type { ParseOptions } from './parser.ts';
import { parseScriptText } from './parser.ts';
import type { ScriptDocument, Utterance } from './types.ts';

const KNOWN_ENGLISH =
  'angry, break, calm, cheerful, clip, default, empathetic, excited, fast, friendly, higher, hopeful, image, lower, ' +
  'music, normal, pause, pitch, rate, sad, serious, shouting, slow, style, terrified, voice, whisper, whispering';

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'vf-script-parser-')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function parseOk(text: string, options?: ParseOptions): ScriptDocument {
  const result = parseScriptText(text, join(dir, 'script.md'), options);
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
  return result.document;
}

/** Diagnostics as "line:col: severity: message", without the temp-dir file name. */
function problems(text: string, options?: ParseOptions): string[] {
  const result = parseScriptText(text, 'x.md', options);
  const list = result.ok ? result.document.warnings : result.diagnostics;
  return list.map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`);
}

function spoken(doc: ScriptDocument): string[] {
  return doc.scenes.flatMap((s) => s.items.map((i) => (i.kind === 'speech' ? i.text : `<${i.ms}ms>`)));
}

function utterances(doc: ScriptDocument): Utterance[] {
  return doc.scenes.flatMap((s) => s.items.filter((i): i is Utterance => i.kind === 'speech'));
}

describe('directions in context', () => {
  it('applies style, prosody and voice from their position until changed or the scene ends', () => {
    const doc = parseOk(
      'Plain. [cheerful 1.5] Happy. [slow] [pitch -2st] Slow happy. [default] Back. [voice guest] Guest.\n' +
        '[voice default] Me again [rate default] now.\n# Next\nReset.',
    );
    expect(
      utterances(doc).map(({ text, style, prosody, voice }) => ({ text, style, prosody, voice })),
    ).toEqual([
      { text: 'Plain.', style: undefined, prosody: {}, voice: undefined },
      { text: 'Happy.', style: { name: 'cheerful', degree: 1.5 }, prosody: {}, voice: undefined },
      {
        text: 'Slow happy.',
        style: { name: 'cheerful', degree: 1.5 },
        prosody: { rate: '-20%', pitch: '-2st' },
        voice: undefined,
      },
      { text: 'Back.', style: undefined, prosody: { rate: '-20%', pitch: '-2st' }, voice: undefined },
      { text: 'Guest.', style: undefined, prosody: { rate: '-20%', pitch: '-2st' }, voice: 'guest' },
      { text: 'Me again', style: undefined, prosody: { rate: '-20%', pitch: '-2st' }, voice: undefined },
      { text: 'now.', style: undefined, prosody: { pitch: '-2st' }, voice: undefined },
      { text: 'Reset.', style: undefined, prosody: {}, voice: undefined },
    ]);
  });

  it('does not mistake links for directions, nor split a sentence at an image', async () => {
    await writeFile(join(dir, 'chart.png'), 'png');
    const doc = parseOk('See [pause](http://x) and this [image chart.png] chart.');
    expect(spoken(doc)).toEqual(['See pause and this chart.']);
  });

  it('reports unclosed, empty and unknown directions, all of them', () => {
    expect(problems('Hi [pause\n[] there.\n[foo] and [bar]')).toEqual([
      '1:4: error: unclosed stage direction: "[" has no "]" on the same line (write \\[ for a literal bracket)',
      '2:1: error: empty stage direction "[]"',
      `3:1: error: unknown stage direction "[foo]"; known directions: ${KNOWN_ENGLISH}`,
      `3:11: error: unknown stage direction "[bar]"; known directions: ${KNOWN_ENGLISH}`,
    ]);
  });

  it('uses the front matter language, then options.language, to pick the vocabulary', () => {
    expect(spoken(parseOk('---\nlanguage: es-MX\n---\nHola. [pausa 1s] Adiós.'))).toEqual([
      'Hola.',
      '<1000ms>',
      'Adiós.',
    ]);
    expect(spoken(parseOk('Olá. [pausa] Tchau.', { language: 'pt-BR' }))).toEqual([
      'Olá.',
      '<500ms>',
      'Tchau.',
    ]);
    expect(problems('Hola. [pause]', { language: 'es' })[0]).toContain('did you mean "pausa"?');
  });

  it('prefers a configured direction map over the built-in one', () => {
    const options: ParseOptions = { directionMap: { beat: { kind: 'pause', defaultMs: 250 } } };
    expect(spoken(parseOk('A. [beat] B.', options))).toEqual(['A.', '<250ms>', 'B.']);
    expect(problems('A. [pause] B.', options)).toEqual([
      '1:4: error: unknown stage direction "[pause]"; known directions: beat',
    ]);
  });
});

describe('images', () => {
  it('resolves paths with spaces against the script folder; last image wins with a warning', async () => {
    await writeFile(join(dir, 'my shot.JPG'), 'jpg');
    await writeFile(join(dir, 'b.webp'), 'webp');
    const result = parseScriptText('# S\n[image my shot.JPG] Hi. [image b.webp]', join(dir, 'x.md'));
    expect(result.ok && result.document.scenes[0]?.image).toEqual({
      written: 'b.webp',
      path: join(dir, 'b.webp'),
      line: 2,
      col: 25,
    });
    expect(result.ok && result.document.warnings.map((w) => w.message)).toEqual([
      'scene "S" already has an image; the last one wins',
    ]);
  });

  it('rejects missing files (quoting the path as written) and unsupported types with locations', async () => {
    await writeFile(join(dir, 'clip.gif'), 'gif');
    const result = parseScriptText('Hi. [image nope.png]\n[image clip.gif]', join(dir, 'x.md'));
    expect(!result.ok && result.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`)).toEqual([
      '1:5: image not found: nope.png',
      '2:1: image "clip.gif" must be a .png, .jpg, .jpeg, .webp file',
    ]);
  });

  it('takes media from the places it is given, not from the script file folder', async () => {
    await writeFile(join(dir, 'a.png'), 'png');
    const media = { scriptDir: dir, roots: [], protectedDirs: [] };
    const doc = parseScriptText('Hi. [image a.png]', '/elsewhere/x.md', { media });
    expect(doc.ok && doc.document.scenes[0]?.image?.path).toBe(join(dir, 'a.png'));
  });
});

describe('limits', () => {
  it('caps diagnostics and summarises the rest', () => {
    // 250 errors plus the warning that the scene has no speech.
    const result = parseScriptText('[nope] '.repeat(250), 'x.md');
    expect(result.ok).toBe(false);
    const list = result.ok ? [] : result.diagnostics;
    expect(list).toHaveLength(201);
    expect(list[200]).toMatchObject({ severity: 'error', message: '51 more problems not shown' });
  });

  // Found by attacking scripts: 250 level-4 headings filled the list with warnings, and the one error,
  // a misspelt direction on line 253, was never shown; the summary pointed at a warning.
  it('never lets warnings crowd out an error, and places the summary at a hidden error', () => {
    const text = `# Intro\nHello there.\n${Array.from({ length: 250 }, (_, i) => `#### note ${i}`).join('\n')}\nNow [pasue 1s] the mistake.\n`;
    const result = parseScriptText(text, 'x.md');
    const list = result.ok ? [] : result.diagnostics;
    expect(list).toHaveLength(201);
    expect(list.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.col}`)).toContain('253:5');
    expect(list[200]).toMatchObject({ severity: 'warning', message: '51 more problems not shown' });
    // 210 errors: the first 200 are shown, the summary is placed at the first one hidden.
    const errors = parseScriptText(`${'#### h\n'.repeat(5)}${'[nope] '.repeat(210)}`, 'y.md');
    const shown = errors.ok ? [] : errors.diagnostics;
    expect(shown.slice(0, 200).every((d) => d.severity === 'error')).toBe(true);
    expect(shown[200]).toMatchObject({ severity: 'error', line: 6, col: 1401 });
  });

  it('rejects over-long lines without scanning them', () => {
    expect(problems(`Fine.\n${'[x'.repeat(15_000)}`)).toEqual([
      '2:1: error: line is 30000 characters long; the limit is 20000',
    ]);
  });

  it('stops at the scene limit', () => {
    const list = problems('# S\nHi.\n'.repeat(2001));
    expect(list).toEqual(['4001:1: error: too many scenes; the limit is 2000']);
  });

  it('parses a 2 MB hostile line mix in linear time', () => {
    const hostile = `${'[a]('.repeat(4000)}\n${'`'.repeat(3000)}x\n${'*_'.repeat(8000)}\n`.repeat(40);
    const started = performance.now();
    const result = parseScriptText(hostile, 'x.md');
    expect(result.ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

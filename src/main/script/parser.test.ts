import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from './diagnostics.ts';
import type { ParseOptions } from './parser.ts';
import { parseScriptText } from './parser.ts';
import type { ScriptDocument, Utterance } from './types.ts';

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

describe('scenes', () => {
  it('splits at #, ## and ### headings; text before the first heading is scene 0', () => {
    const doc = parseOk('Intro.\n# One\nFirst.\n## Two ##\nSecond.\n### Three\nThird.');
    expect(doc.scenes.map((s) => [s.index, s.title, s.line])).toEqual([
      [0, 'script', 1],
      [1, 'One', 2],
      [2, 'Two', 4],
      [3, 'Three', 6],
    ]);
  });

  it('has no scene 0 when the script starts with a heading', () => {
    expect(parseOk('\n# Start\nHello.').scenes.map((s) => s.title)).toEqual(['Start']);
  });

  it('warns about scenes without speech and about deep headings', () => {
    expect(problems('# Empty\n[pause]\n# Full\nHi.\n#### Note to self\nMore.')).toEqual([
      '1:1: warning: scene "Empty" has no spoken text',
      '5:1: warning: level-4 heading is not spoken and starts no scene',
    ]);
  });

  it('fails when nothing at all is spoken', () => {
    expect(problems('# Only a heading\n<!-- and a note -->')).toEqual([
      '1:1: warning: scene "Only a heading" has no spoken text',
      '1:1: error: script has no spoken text',
    ]);
  });

  it('strips markdown from headings and applies directions written in them', async () => {
    await writeFile(join(dir, 'a.png'), 'png');
    const doc = parseOk('# The **big** [idea](http://x) [image a.png]\nHello.');
    expect(doc.scenes[0]).toMatchObject({
      title: 'The big idea',
      image: { written: 'a.png', path: join(dir, 'a.png'), line: 1, col: 32 },
    });
  });
});

describe('markdown stripping', () => {
  it('drops emphasis, code ticks, link targets, bullets, quotes, comments and rules', () => {
    const doc = parseOk(
      [
        'This is *very* **bold** and _quiet_ ~~gone~~ text with `code [pause]` inside.',
        'Read [the guide](https://example.com/a_(b)) today.',
        '- first item',
        '* second item',
        '1. third item',
        '> a quote',
        '***',
        'Keep 2 * 3 and snake_case words. <!-- hidden [nonsense] -->Visible.',
        '<!-- a comment',
        '[spanning] lines -->',
        'After the comment.',
      ].join('\n'),
    );
    expect(spoken(doc)).toEqual([
      'This is very bold and quiet gone text with code [pause] inside.',
      'Read the guide today.',
      'first item',
      'second item',
      'third item',
      'a quote',
      'Keep 2 * 3 and snake_case words.',
      'Visible.',
      'After the comment.',
    ]);
  });

  it('reads 1.8 MB of 20,000-deep quotes and of headings padded with 20,000 blanks in linear time', () => {
    // Found by attacking `vfo check`: each of these lines cost seconds (the quote markers were sliced
    // off one at a time, the closing hashes matched by a backtracking expression), minutes for the
    // file; read in linear time it is well inside this test's time-out, quadratically far outside it.
    const deep = Array.from({ length: 45 }, (_, i) => `${'>'.repeat(19_980)}Quote ${i}.`);
    const padded = Array.from({ length: 45 }, (_, i) => `# ${' '.repeat(19_980)}Scene ${i}`);
    const doc = parseOk([...padded.slice(0, 1), ...deep, ...padded.slice(1)].join('\n'));
    expect(spoken(doc).slice(0, 2)).toEqual(['Quote 0.', 'Quote 1.']);
    expect(doc.scenes.map((scene) => scene.title).slice(0, 2)).toEqual(['Scene 0', 'Scene 1']);
  }, 30_000);

  it('keeps a year that starts a line, and drops setext underlines', () => {
    expect(spoken(parseOk('2024. What a year.\n\nBig Title\n=========\nBody text.'))).toEqual([
      '2024.',
      'What a year.',
      'Big Title',
      'Body text.',
    ]);
  });

  it('keeps escaped brackets and stray closing brackets as text', () => {
    expect(spoken(parseOk('Array \\[0\\] and a stray ] here.'))).toEqual(['Array [0] and a stray ] here.']);
  });

  it('keeps HTML-looking text literally', () => {
    expect(spoken(parseOk('Say <b>Tom & "Jerry"</b> now.'))).toEqual(['Say <b>Tom & "Jerry"</b> now.']);
  });

  it('warns that markdown images are not used', () => {
    expect(problems('Look ![alt](pic.png) here.')).toEqual([
      '1:6: warning: markdown image ignored; use a stage direction like [image pictures/intro.png]',
    ]);
  });

  it('reports an unterminated HTML comment where it opens', () => {
    expect(problems('Hello.\nText <!-- never closed\nmore')).toEqual([
      '2:6: error: unterminated HTML comment: "<!--" has no "-->"',
    ]);
  });
});

describe('positions', () => {
  it('records the line and column of each sentence and pause in the original file', () => {
    const text = '---\ntitle: T\n---\n\n# Scene\n  **Hello** there. How are\n you? [pause 700ms] Fine!';
    const items = parseOk(text).scenes[0]?.items;
    expect(items).toEqual([
      { kind: 'speech', text: 'Hello there.', prosody: {}, line: 6, col: 5 },
      { kind: 'speech', text: 'How are you?', prosody: {}, line: 6, col: 20 },
      { kind: 'pause', ms: 700, line: 7, col: 7 },
      { kind: 'speech', text: 'Fine!', prosody: {}, line: 7, col: 21 },
    ]);
  });

  it('is the same with CRLF line endings', () => {
    const lf = parseOk('---\ntitle: T\n---\nOne.\n\n- Two [pause] three.\n');
    const crlf = parseOk('---\r\ntitle: T\r\n---\r\nOne.\r\n\r\n- Two [pause] three.\r\n');
    expect(crlf.scenes).toEqual(lf.scenes);
    expect(utterances(crlf).map((u) => [u.line, u.col])).toEqual([
      [4, 1],
      [6, 3],
      [6, 15],
    ]);
  });

  it('locates errors after front matter and comments', () => {
    expect(problems('---\ntitle: T\n---\nFine. <!-- x --> [paws]\n\tIndented [pause 99s]')).toEqual([
      '4:18: error: unknown stage direction "[paws]"; did you mean "pause"?',
      '5:11: error: absurd value in "[pause 99s]": a pause must be between 1 ms and 10 s',
    ]);
  });
});

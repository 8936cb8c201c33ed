import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from './diagnostics.ts';
import { parseScriptText } from './parser.ts';

function parse(text: string) {
  return parseScriptText(text, 'demo.md');
}

function problems(text: string): string[] {
  const result = parse(text);
  return result.ok
    ? result.document.warnings.map(formatDiagnostic)
    : result.diagnostics.map(formatDiagnostic);
}

describe('front matter', () => {
  it('reads the known keys, quoted or not', () => {
    const result = parse(
      '---\ntitle: "Tom & Jerry: the \\"movie\\""\nrecipe: shorts\nvoice: \'narrator-es\'\nlanguage: es-MX\n---\nHola.',
    );
    expect(result.ok && result.document.meta).toEqual({
      title: 'Tom & Jerry: the "movie"',
      recipe: 'shorts',
      voice: 'narrator-es',
      language: 'es-MX',
    });
  });

  // Found by attacking scripts: "malformed front matter line; expected key: value" for one that is.
  it('reads a value holding a line or paragraph separator', () => {
    const result = parse('---\ntitle: Before\u2028After\u2029End\n---\nHello.');
    expect(result.ok && result.document.meta.title).toBe('Before\u2028After\u2029End');
  });

  it('titles the intro scene from the front matter, else from the file name', () => {
    const titled = parse('---\ntitle: My Film\n---\nHello.');
    expect(titled.ok && titled.document.scenes[0]?.title).toBe('My Film');
    const untitled = parseScriptText('Hello.', '/some/where/my-video.md');
    expect(untitled.ok && untitled.document.scenes[0]?.title).toBe('my-video');
  });

  it('counts front matter lines in body positions', () => {
    const result = parse('---\ntitle: T\n\n# comment line\n---\n\n  Hello.');
    expect(result.ok && result.document.scenes[0]?.items[0]).toMatchObject({ line: 7, col: 3 });
  });

  it('warns about unknown and duplicate keys and empty values', () => {
    expect(problems('---\nauthor: me\ntitle: A\ntitle: B\nrecipe:\n---\nHi.')).toEqual([
      'demo.md:2:1: warning: unknown front matter key "author"; known keys: title, subtitle, recipe, voice, language, music, thumbnail, transition',
      'demo.md:4:1: warning: duplicate front matter key "title"; the last one wins',
      'demo.md:5:8: warning: front matter key "recipe" has no value; ignored',
    ]);
  });

  // Found by attacking scripts: a title of "   " passed the check and broke the title card's filter graph.
  it('takes a quoted value of spaces as no value', () => {
    expect(problems('---\ntitle: "   "\nsubtitle: \'  \'\n---\nHi.')).toEqual([
      'demo.md:2:8: warning: front matter key "title" has no value; ignored',
      'demo.md:3:11: warning: front matter key "subtitle" has no value; ignored',
    ]);
    const result = parse('---\ntitle: "  Padded  "\n---\nHi.');
    expect(result.ok && result.document.meta.title).toBe('Padded');
  });

  it('reports an unterminated block at its opening line', () => {
    expect(problems('---\ntitle: x\nHello there.\n')).toEqual([
      'demo.md:1:1: error: unterminated front matter: no closing "---" line',
    ]);
  });

  it('reports malformed lines, bad values and unclosed quotes with locations', () => {
    expect(problems('---\njust words\nvoice: has spaces\nlanguage: 12\ntitle: "open\n---\nHi.')).toEqual([
      'demo.md:2:1: error: malformed front matter line; expected "key: value"',
      'demo.md:3:8: error: front matter "voice" must be a slug (letters, digits and . _ + -), got "has spaces"',
      'demo.md:4:11: error: front matter "language" must be a language tag like "en-US", got "12"',
      'demo.md:5:8: error: unterminated quoted value for "title"',
    ]);
  });

  it('accepts CRLF front matter', () => {
    const result = parse('---\r\ntitle: Win\r\n---\r\nHello.\r\n');
    expect(result.ok && result.document.meta.title).toBe('Win');
    expect(result.ok && result.document.scenes[0]?.items[0]).toMatchObject({
      text: 'Hello.',
      line: 4,
      col: 1,
    });
  });

  it('treats a --- that is not on line 1 as a horizontal rule', () => {
    const result = parse('Hello.\n---\nBye.');
    expect(result.ok && result.document.meta).toEqual({});
    expect(result.ok && result.document.scenes[0]?.items.map((i) => i.kind === 'speech' && i.text)).toEqual([
      'Hello.',
      'Bye.',
    ]);
  });

  it('reads a transition: cut, or a crossfade or fade with its duration in ms or s', () => {
    const meta = (value: string) => {
      const result = parse(`---\ntransition: ${value}\n---\nHello.`);
      return result.ok ? result.document.meta.transition : problems(`---\ntransition: ${value}\n---\nHello.`);
    };
    expect(meta('cut')).toBe('cut');
    expect(meta('crossfade 800ms')).toBe('crossfade 800ms');
    expect(meta('fade 0.5s')).toBe('fade 0.5s');
    expect(meta('"Crossfade 1.2S"')).toBe('Crossfade 1.2S');
  });

  it('reports a bad transition where its value starts: unknown kind, missing or bad duration, too long', () => {
    expect(problems('---\ntitle: T\ntransition: wipe 1s\n---\nHello.')).toEqual([
      'demo.md:3:13: error: front matter "transition": unknown transition "wipe"; expected cut, crossfade DURATION or fade DURATION',
    ]);
    expect(problems('---\ntransition:   crossfade\n---\nHello.')).toEqual([
      'demo.md:2:15: error: front matter "transition": crossfade needs a duration like "800ms" or "0.5s", e.g. "crossfade 800ms"',
    ]);
    expect(problems('---\ntransition: fade 2 s\n---\nHello.')).toEqual([
      'demo.md:2:13: error: front matter "transition": fade needs a duration like "800ms" or "0.5s", e.g. "fade 800ms"',
    ]);
    expect(problems('---\ntransition: fade 9s\n---\nHello.')).toEqual([
      'demo.md:2:13: error: front matter "transition": a fade lasts 10ms..5s, got 9000ms',
    ]);
    expect(problems('---\ntransition: cut 1s\n---\nHello.')).toEqual([
      'demo.md:2:13: error: front matter "transition": a cut takes no duration',
    ]);
  });
});

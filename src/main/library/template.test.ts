import { describe, expect, it } from 'vitest';
import { libraryErrorOf } from './library.fixture.ts';
import { MAX_TEMPLATE_PROBLEMS, renderTemplate, templateProblems, templateVariables } from './template.ts';

describe('renderTemplate', () => {
  it('fills {{name}} placeholders, with or without spaces inside the braces', () => {
    expect(
      renderTemplate('Hi {{name}}, about {{ topic }} and {{name}}.', { name: 'Ana', topic: 'bees' }),
    ).toBe('Hi Ana, about bees and Ana.');
  });

  it('inserts values verbatim and never expands a value again', () => {
    const values = { a: '{{b}} $& $1 \\n', b: 'never' };
    expect(renderTemplate('[{{a}}]', values)).toBe('[{{b}} $& $1 \\n]');
  });

  it('accepts unused variables and a template without placeholders', () => {
    expect(renderTemplate('plain text { not } a placeholder }}', { unused: 'x' })).toBe(
      'plain text { not } a placeholder }}',
    );
  });

  it('names every missing variable once, in order of first use', () => {
    const error = libraryErrorOf(() =>
      renderTemplate('{{title}} {{brief}} {{title}} {{tone}} {{ok}}', { ok: '1' }),
    );
    expect(error.kind).toBe('missing-variables');
    expect(error.issues.map((i) => i.field)).toEqual(['title', 'brief', 'tone']);
    expect(error.message).toContain('title, brief, tone');
  });

  it('does not let Object.prototype supply a variable', () => {
    const error = libraryErrorOf(() => renderTemplate('{{constructor}}{{toString}}', {}));
    expect(error.issues.map((i) => i.field)).toEqual(['constructor', 'toString']);
  });

  it('rejects malformed placeholders with their line instead of leaving them in the output', () => {
    const template = 'ok {{fine}}\n{{first name}}\n{{}} and {{ open }\n{{{triple}}}';
    const error = libraryErrorOf(() => renderTemplate(template, { fine: '1' }));
    expect(error.kind).toBe('invalid');
    expect(error.issues).toHaveLength(4);
    expect(error.message).toContain('line 2: "{{first name}}"');
    expect(error.message).toContain('line 3: "{{}} and {{ open }"');
    expect(error.message).toContain('line 3: "{{ open }"');
    expect(error.message).toContain('line 4: "{{{triple}}}"');
  });
});

// Found by attacking the Library: 66,666 stray "{{" took 27 s to list (every line counted from the
// start) and came back as 133,332 issues in a 30 MB reply.
describe('a template full of stray braces', () => {
  it('is refused with its first MAX_TEMPLATE_PROBLEMS problems, each on its line', () => {
    const problems = templateProblems('{{\n'.repeat(66_666));
    expect(problems).toHaveLength(MAX_TEMPLATE_PROBLEMS);
    expect(problems[0]).toMatch(/^line 1: /);
    expect(problems.at(-1)).toMatch(new RegExp(`^line ${MAX_TEMPLATE_PROBLEMS}: `));
  });

  // Found the same way: a variable used 20,000 times made a 400 MB request to Claude.
  it('is not rendered past the longest text it may make', () => {
    const error = libraryErrorOf(() =>
      renderTemplate('{{brief}}'.repeat(20_000), { brief: 'x'.repeat(20_000) }, 400_000),
    );
    expect(error.kind).toBe('invalid');
    expect(error.message).toBe(
      'the rendered template would be 400000000 characters long; the most is 400000',
    );
    expect(renderTemplate('{{brief}}!', { brief: 'abc' }, 4)).toBe('abc!');
  });
});

describe('template helpers', () => {
  it('lists the variables a template uses, once each', () => {
    expect(templateVariables('{{a}} {{ b }} {{a}}')).toEqual(['a', 'b']);
  });

  it('finds no problem in a well-formed template and one per bad opening', () => {
    expect(templateProblems('{{a}} {b} }} {{ c_1 }}')).toEqual([]);
    expect(templateProblems('{{a-b}} {{')).toHaveLength(2);
  });
});

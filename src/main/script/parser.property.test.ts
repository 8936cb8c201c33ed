/**
 * Property: whatever text or bytes arrive, the parser answers with diagnostics, never an exception,
 * and every diagnostic points at a real place in the text (line and column from 1) with a message.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeScriptBytes } from './input.ts';
import { expectLocated } from './located.fixture.ts';
import { parseScriptText } from './parser.ts';

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vf-parser-property-'));
  file = join(dir, 'fuzz.md');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Pieces a hostile or broken script is made of, glued in random order. */
const fragment = fc.oneof(
  fc.constantFrom(
    '[',
    ']',
    '\\[',
    '---',
    '---\n',
    '\n',
    '\r\n',
    '\r',
    '\0',
    '#',
    '## ',
    '#### ',
    '<!--',
    '-->',
    '`',
    '```\n',
    '*',
    '_',
    '> ',
    '- ',
    '[image ',
    '[image ../x.png]',
    '[image /etc/hostname]',
    '[pause ',
    '[pause 99s]',
    '[voice ',
    '[style calm 9]',
    '[rate +900%]',
    'title: ',
    'language: xx\n',
    'voice: ',
    '![a](b.png)',
    '(http://x)',
    'Hello there.',
    ' And then? ',
    '\uFEFF',
    '\uD800',
    '\uDC00',
    '\u2028',
    '\t',
  ),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const glued = fc.array(fragment, { maxLength: 80 }).map((parts) => parts.join(''));
/** Lines around the 20 000-character limit, of characters the scanner has to look at. */
const longLine = fc
  .tuple(fc.constantFrom('a', '[', '[x', '*_', '`', '[pause]'), fc.integer({ min: 19_990, max: 20_010 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));
const scriptText = fc.oneof(
  { weight: 4, arbitrary: glued },
  { weight: 1, arbitrary: fc.tuple(glued, longLine, glued).map((parts) => parts.join('\n')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('utf8')) },
  { weight: 1, arbitrary: glued.map((body) => `---\n${body}`) },
);
const scriptBytes = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  fc
    .tuple(glued, fc.uint8Array({ maxLength: 6 }), glued)
    .map(([a, noise, b]) => Buffer.concat([Buffer.from(a), noise, Buffer.from(b)])),
);

describe('the parser on random input', () => {
  it('never throws, and locates every problem inside the text', () => {
    fc.assert(
      fc.property(scriptText, (text) => {
        const result = parseScriptText(text, file);
        if (result.ok) {
          expect(result.document.warnings.every((w) => w.severity === 'warning')).toBe(true);
          expectLocated(text, result.document.warnings, file);
        } else {
          expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
          expectLocated(text, result.diagnostics, file);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('turns any bytes into text or one located error', () => {
    fc.assert(
      fc.property(scriptBytes, (bytes) => {
        const decoded = decodeScriptBytes(bytes, file);
        const text = Buffer.from(bytes).toString('utf8');
        if (!decoded.ok) {
          expectLocated(text, [decoded.diagnostic], file);
          return;
        }
        const result = parseScriptText(decoded.text, file);
        expectLocated(decoded.text, result.ok ? result.document.warnings : result.diagnostics, file);
      }),
      { numRuns: 600 },
    );
  });
});

/**
 * Property: `vfo check`'s path from a file on disk to the printed report (read, decode, parse, locate,
 * format) never throws on any bytes, and reports every problem at a place inside the file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, openApp } from '../app/open-app.ts';
import { expectLocated } from '../script/located.fixture.ts';
import { diagnosticsText, prepareScript } from './prepare-script.ts';

let dir: string;
let ctx: App;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-check-property-'));
  ctx = await openApp({ data: join(dir, 'data') });
});
afterAll(async () => {
  ctx?.close();
  await rm(dir, { recursive: true, force: true });
});

const piece = fc.oneof(
  fc.constantFrom(
    '---\n',
    'title: x\n',
    '# S\n',
    'Hi. ',
    '[',
    ']',
    '[image ../x.png]',
    '[pause 5h]',
    '\n',
    '\r',
  ),
  fc.string({ unit: 'binary', maxLength: 10 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 8 }),
);
const fileBytes = fc
  .array(piece, { maxLength: 40 })
  .map((parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));

describe('vfo check on random files', () => {
  it('reports, never throws, and locates each problem inside the file', async () => {
    const name = join(dir, 'fuzz.md');
    await fc.assert(
      fc.asyncProperty(fileBytes, async (bytes) => {
        await writeFile(name, bytes);
        const prepared = await prepareScript(ctx, name, {});
        const diagnostics = prepared.ok ? prepared.document.warnings : prepared.diagnostics;
        if (!prepared.ok) expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
        expectLocated(bytes.toString('utf8'), diagnostics, name);
        const report = diagnosticsText(diagnostics);
        expect(report.split('\n').filter(Boolean)).toHaveLength(diagnostics.length);
      }),
      { numRuns: 150 },
    );
  });
});

/**
 * What `vfo submit` sends is what the script names. The node says where (its presets decide what a
 * direction is), but a hostile node listed files the script never names — private.png, Photos/… — and
 * they were hashed and sent. Found by attacking the CLI from a hostile node.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaUse } from '../../shared/contract.ts';
import type { FarmClient } from '../farm/net/index.ts';
import { prepareSubmissions, submittedName } from './submit-media.ts';

let dir: string;
let script: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-submit-media-'));
  await mkdir(join(dir, 'pics'));
  await mkdir(join(dir, 'Photos'));
  await writeFile(join(dir, 'pics', 'a.png'), 'a picture the script names');
  await writeFile(join(dir, 'pics', 'a.png.bak'), 'a picture it does not');
  await writeFile(join(dir, 'private.png'), 'a picture nobody named');
  await writeFile(join(dir, 'Photos', 'vacation.jpg'), 'nor this');
  script = join(dir, 'talk.md');
  await writeFile(script, '# A\n\nHello there. [image pics/a.png] And private things.\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A node answering the check with `media` as what the script names. */
function nodeSaying(media: MediaUse[]): FarmClient {
  const check = {
    name: 'talk.md',
    ok: true,
    diagnostics: [],
    media,
    title: null,
    scenes: [],
    estimatedSeconds: 2,
  };
  return { json: async () => check } as unknown as FarmClient;
}
const node = { id: 'n', url: 'http://127.0.0.1:1' };
const use = (path: string, col = 14): MediaUse => ({ kind: 'image', path, line: 3, col, found: true });

describe('vfo submit’s media', () => {
  it('sends what the script names where the node says it does', async () => {
    const prepared = await prepareSubmissions(nodeSaying([use('pics/a.png')]), node, [script], {});
    expect(prepared.ok).toBe(true);
    if (prepared.ok) expect(Object.keys(prepared.submissions[0]?.body.media ?? {})).toEqual(['pics/a.png']);
  });

  it('refuses, and sends nothing, when the node lists a file the script does not name', async () => {
    for (const claimed of [
      use('private.png'),
      use('Photos/vacation.jpg', 1),
      use('pics/a.png.bak'),
      use('pics/a', 14),
    ]) {
      const prepared = await prepareSubmissions(nodeSaying([use('pics/a.png'), claimed]), node, [script], {});
      expect(prepared.ok, claimed.path).toBe(false);
      if (!prepared.ok)
        expect(prepared.diagnostics.map((d) => d.message)).toEqual([
          `the node says the script names "${claimed.path}" here, and it does not`,
        ]);
    }
  });
});

// Found by attacking file names: these rendered here, and the node refused them with an unlocated 400.
describe('the name a script is submitted under', () => {
  it('is one the node takes: no slashes, at most 120 characters before the extension', () => {
    expect(submittedName('/a/back\\slash.md')).toBe('back_slash.md');
    expect(submittedName(`/a/${'x'.repeat(200)}.MD`)).toBe(`${'x'.repeat(120)}.MD`);
    expect(submittedName('/a/intro.markdown')).toBe('intro.markdown');
  });

  it('is refused as usage when the file is not a script', () => {
    expect(() => submittedName('/a/evil.jpg')).toThrow(
      '/a/evil.jpg: a script is a .md, .markdown, .txt file',
    );
  });
});

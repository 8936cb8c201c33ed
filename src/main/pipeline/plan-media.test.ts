import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StepError } from '../engine/errors.ts';
import { IMAGE_MEDIA, resolveMediaPath, scriptFolderOnly } from '../script/media-path.ts';
import type { MediaRef } from '../script/types.ts';
import { sha256Hex } from '../util/hash.ts';
import { copyCheckedMedia } from './plan-media.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-plan-media-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('copying a script medium into the plan', () => {
  // Found by a review that saved a picture in a loop during renders: the plan stored under the old
  // picture's hash held the new one, and a later render of the old picture reused it.
  it('copies only the bytes the step hashed: a file saved since fails the attempt for a retry', async () => {
    const places = scriptFolderOnly(join(dir, 'talk.md'));
    await writeFile(join(dir, 'sky.png'), 'the sky');
    const resolved = resolveMediaPath('sky.png', places, IMAGE_MEDIA);
    if (!resolved.ok) throw new Error(resolved.message);
    const ref: MediaRef = { written: 'sky.png', path: resolved.path, line: 3, col: 1 };
    const hashed = { [ref.path]: sha256Hex('the sky') };
    const document = { file: join(dir, 'talk.md') };
    const copy = join(dir, 'copy.png');

    await copyCheckedMedia(document, ref, places, IMAGE_MEDIA, copy, hashed);
    expect(await readFile(copy, 'utf8')).toBe('the sky');

    await writeFile(join(dir, 'sky.png'), 'a red wall');
    const changed = copyCheckedMedia(document, ref, places, IMAGE_MEDIA, copy, hashed);
    await expect(changed).rejects.toThrow('sky.png changed while the plan read it: it is read again');
    await expect(changed).rejects.toMatchObject({ kind: 'retryable' } satisfies Partial<StepError>);
  });
});

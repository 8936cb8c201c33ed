/**
 * A data folder moved or copied keeps its work: steps are found by their blobs' checksums in the folder
 * they are now in. Found by attacking the engine: after `mv dA dB` every step of an unchanged script
 * was made again (artifacts were read at the absolute paths stored when they were made), and a copy
 * (`cp -a`) read, and delivered, the original folder's blobs.
 */
import { cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO, runVfo, tempDir } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir('vfo-move-');
});
afterAll(async () => dir?.remove());

const STEPS = ['script', 'ssml', 'narration', 'captions', 'plan', 'video'];

it('reuses every step of an unchanged script after the data folder is moved, or copied and the original removed', async () => {
  const script = join(dir.path, 'welcome.md');
  await writeFile(script, await readFile(join(REPO, 'examples', 'welcome.md')));
  const render = (data: string) =>
    runVfo(['render', script, '--data', join(dir.path, data), '--video-preset', 'preview-360p']);
  const first = await render('dA');
  expect(first.code, first.stderr).toBe(0);
  const video = await readFile(join(dir.path, 'welcome.mp4'));

  await rename(join(dir.path, 'dA'), join(dir.path, 'dB'));
  const moved = await render('dB');
  expect(moved.code, moved.stderr).toBe(0);
  for (const step of STEPS) expect(moved.stderr).toMatch(new RegExp(`${step}\\s+unchanged`));

  await cp(join(dir.path, 'dB'), join(dir.path, 'dC'), { recursive: true, preserveTimestamps: true });
  await rm(join(dir.path, 'dB'), { recursive: true });
  const copied = await render('dC');
  expect(copied.code, copied.stderr).toBe(0);
  for (const step of STEPS) expect(copied.stderr).toMatch(new RegExp(`${step}\\s+unchanged`));
  expect(await readFile(join(dir.path, 'welcome.mp4'))).toEqual(video);
  // What a job lists (its thumbnail shown by the app, its files in jobs show) is in the folder too.
  const shown = await runVfo(['jobs', 'list', '--json', '--data', join(dir.path, 'dC')]);
  // The first job, made in dA: its rows name dA's blobs.
  const job = (JSON.parse(shown.stdout) as { id: string }[]).at(-1);
  const detail = await runVfo(['jobs', 'show', job?.id ?? '', '--json', '--data', join(dir.path, 'dC')]);
  const artifacts = (JSON.parse(detail.stdout) as { artifacts: { path: string }[] }).artifacts;
  expect(artifacts.length).toBeGreaterThan(0);
  for (const artifact of artifacts)
    expect(artifact.path.startsWith(join(dir.path, 'dC', 'blobs'))).toBe(true);
}, 120_000);

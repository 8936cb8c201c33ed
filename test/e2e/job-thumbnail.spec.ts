/**
 * The job list shows each finished video's thumbnail: a script dropped with its picture on a real
 * headless node, rendered with the seeded title-card recipe; the list's picture is the node's
 * 1280x720 JPEG with the script's title drawn over the dropped (dark) picture.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { dropFolder, type FolderFile } from './support/drop-folder.ts';
import { e2eFarmForSpec, shot } from './support/e2e-farm.ts';
import { E2E_LAN_HOST } from './support/lan-host.ts';

const SCRIPT = `---
title: Rivers of Light
subtitle: Part one
recipe: narrated-16x9-titled
---

[image fotos/night.png] A short film about rivers.
`;

/** The parts of an <img> the checks use (typechecked without the DOM lib). */
interface ImageLike {
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
}

const folder: FolderFile[] = [];
const farm = e2eFarmForSpec({
  prefix: 'vfo-e2e-thumb-',
  nodes: ['thumb-alpha'],
  prepare: async (workDir) => {
    const picture = join(workDir, 'night.png');
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x102030:s=640x360'],
      ...['-frames:v', '1', picture],
    ]);
    folder.push(
      { path: 'rivers.md', bytes: Buffer.from(SCRIPT), type: 'text/markdown' },
      { path: 'fotos/night.png', bytes: await readFile(picture), type: 'image/png' },
    );
  },
  nodeArgs: () => ['--video-preset', 'preview-360p'],
});

test('the job list shows a finished job’s thumbnail, the title drawn on the first scene', async ({
  page,
}) => {
  const [node] = farm.nodes;
  if (!node) throw new Error('no node started');
  await page.goto(node.url.replace('127.0.0.1', E2E_LAN_HOST));
  await page.getByLabel('Farm key').fill(farm.farmKey);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();

  await dropFolder(page.getByTestId('drop-zone'), 'rivers', folder);
  const script = page.getByRole('listitem', { name: 'rivers.md' });
  await expect(script).toHaveAttribute('data-valid', 'true');
  await page.getByLabel('Video preset').selectOption('preview-360p');
  await page.getByRole('button', { name: 'Queue 1 valid script' }).click();

  const row = page.getByTestId('job-row');
  await expect(row).toHaveCount(1);
  const thumbnail = row.getByTestId('job-thumbnail');
  await expect(thumbnail).toBeVisible({ timeout: 120_000 });
  await expect
    .poll(() => thumbnail.evaluate((img: ImageLike) => (img.complete ? img.naturalWidth : 0)), {
      timeout: 15_000,
    })
    .toBe(1280);
  expect(await thumbnail.evaluate((img: ImageLike) => img.naturalHeight)).toBe(720);
  await shot(page, 'job-list-thumbnail');

  // The picture the list shows, read back from the <img> itself: light letters across the middle of
  // the dark night picture (luma over 200 where the picture alone is ~30).
  const light = await thumbnail.evaluate((img: ImageLike) => {
    const doc = (globalThis as unknown as { document: { createElement(tag: string): unknown } }).document;
    const canvas = doc.createElement('canvas') as {
      width: number;
      height: number;
      getContext(kind: string): {
        drawImage(source: unknown, x: number, y: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    const band = context.getImageData(0, 216, 1280, 230).data;
    let count = 0;
    for (let i = 0; i < band.length; i += 4) {
      const luma = 0.299 * (band[i] ?? 0) + 0.587 * (band[i + 1] ?? 0) + 0.114 * (band[i + 2] ?? 0);
      if (luma > 200) count++;
    }
    return count;
  });
  expect(light).toBeGreaterThan(5000);
});

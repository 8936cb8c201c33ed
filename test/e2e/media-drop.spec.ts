/**
 * A folder dropped on the UI in a browser on the LAN, against two real headless nodes of one farm:
 * the folder holds a script with its picture and its music, and a second script naming a picture
 * that is not there. The preview lists every media file as found or missing (the missing one with its
 * located error) before anything is queued; queueing sends the media, and the valid script's video,
 * made on the other node (this node's worker is paused), plays with the dropped picture in its frames.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { dropFolder, type FolderFile } from './support/drop-folder.ts';
import { e2eFarmForSpec, shot } from './support/e2e-farm.ts';
import { E2E_LAN_HOST } from './support/lan-host.ts';

const TALK = `---
title: Dropped with its media
music: music/hum.mp3
---

# The picture

[image fotos/green.png] This picture and this music came in the folder with the script.
`;

const BROKEN = `# Missing

This one names [image fotos/missing.png] a picture that is not in the folder.
`;

/** The parts of the page's <video> and <canvas> the checks use (typechecked without the DOM lib). */
interface VideoLike {
  readyState: number;
  currentTime: number;
  duration: number;
  muted: boolean;
  play(): Promise<void>;
  pause(): void;
}

const folder: FolderFile[] = [];
const farm = e2eFarmForSpec({
  prefix: 'vfo-e2e-media-',
  nodes: ['media-alpha', 'media-beta'],
  prepare: async (workDir) => {
    const make = (args: string[], name: string) => {
      const out = join(workDir, name);
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out]);
      return readFile(out);
    };
    folder.push(
      { path: 'talk.md', bytes: Buffer.from(TALK), type: 'text/markdown' },
      { path: 'broken.md', bytes: Buffer.from(BROKEN), type: 'text/markdown' },
      {
        path: 'fotos/green.png',
        bytes: await make(['-f', 'lavfi', '-i', 'color=c=0x00ff00:s=320x240', '-frames:v', '1'], 'green.png'),
        type: 'image/png',
      },
      {
        path: 'music/hum.mp3',
        bytes: await make(['-f', 'lavfi', '-i', 'sine=f=60:r=44100:d=2'], 'hum.mp3'),
        type: 'audio/mpeg',
      },
    );
  },
  nodeArgs: () => ['--video-preset', 'preview-360p'],
});

test('drop a folder with a script, its picture and its music: media listed, sent, and in the video', async ({
  page,
}) => {
  const [alpha] = farm.nodes;
  if (!alpha) throw new Error('no node started');

  await test.step('log in with the farm key, and pause this node’s worker: the other node encodes', async () => {
    await page.goto(alpha.url.replace('127.0.0.1', E2E_LAN_HOST));
    await page.getByLabel('Farm key').fill(farm.farmKey);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
    const paused = await page.evaluate(async () => {
      const response = await fetch('/api/v1/call/farm.setPaused', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-vfo-ui': '1' },
        body: JSON.stringify({ paused: true }),
      });
      return (await response.json()) as { ok: boolean; value?: { paused: boolean } };
    });
    expect(paused).toEqual({ ok: true, value: { paused: true } });
  });

  const talk = page.getByRole('listitem', { name: 'talk.md' });
  const broken = page.getByRole('listitem', { name: 'broken.md' });

  await test.step('drop the folder: every media file is listed, found or missing, before anything is queued', async () => {
    await dropFolder(page.getByTestId('drop-zone'), 'talk', folder);
    await expect(talk).toHaveAttribute('data-valid', 'true');
    await expect(talk.getByTestId('media-item')).toHaveCount(2);
    for (const path of ['music/hum.mp3', 'fotos/green.png']) {
      await expect(talk.locator(`[data-testid="media-item"][data-path="${path}"]`)).toHaveAttribute(
        'data-found',
        'true',
      );
    }
    await expect(broken).toHaveAttribute('data-valid', 'false');
    await expect(broken.locator('[data-testid="media-item"][data-path="fotos/missing.png"]')).toHaveAttribute(
      'data-found',
      'false',
    );
    await expect(broken.getByTestId('errors')).toContainText(
      'broken.md:3:16: image not found: fotos/missing.png',
    );
    await expect(page.getByTestId('job-row')).toHaveCount(0);
    await shot(page, '01-folder-dropped');
  });

  await test.step('queue the valid script: its media are sent, the other node renders it', async () => {
    await page.getByLabel('Video preset').selectOption('preview-360p');
    await page.getByRole('button', { name: 'Queue 1 valid script' }).click();
    await expect(talk).toHaveAttribute('data-state', 'queued');
    await expect(broken).toHaveAttribute('data-state', 'checked');
    await expect(page.getByTestId('job-row')).toHaveCount(1);
    await page.getByTestId('job-row').getByRole('link').click();
    await expect(page.getByTestId('job-view')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  });

  await test.step('the video plays, and its frames are the dropped picture', async () => {
    const video = page.getByTestId('job-video');
    await expect(video).toBeVisible();
    await expect
      .poll(() => video.evaluate((v: VideoLike) => v.readyState), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(2);
    const start = await video.evaluate(async (v: VideoLike) => {
      v.muted = true;
      await v.play();
      return v.currentTime;
    });
    await expect
      .poll(() => video.evaluate((v: VideoLike) => v.currentTime), { timeout: 10_000 })
      .toBeGreaterThan(start);
    await shot(page, '02-video-playing');
    // The top-left corner of the frame on screen (no captions there) is the green of the picture.
    const corner = await video.evaluate((v: VideoLike) => {
      v.pause();
      const doc = (globalThis as unknown as { document: { createElement(tag: string): unknown } }).document;
      const canvas = doc.createElement('canvas') as {
        width: number;
        height: number;
        getContext(kind: string): {
          drawImage(source: unknown, x: number, y: number, w: number, h: number): void;
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        };
      };
      canvas.width = 64;
      canvas.height = 36;
      const context = canvas.getContext('2d');
      context.drawImage(v, 0, 0, 64, 36);
      return Array.from(context.getImageData(2, 2, 1, 1).data.slice(0, 3));
    });
    const [r, g, b] = corner as [number, number, number];
    expect(g > 160 && r < 100 && b < 100, `corner colour ${corner.join(',')}`).toBe(true);
  });
});

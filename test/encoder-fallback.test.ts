/**
 * `vfo render` on this machine, with an ffmpeg whose VideoToolbox is listed but refuses real encodes
 * (test/farm/stand-in-ffmpeg.ts): the video is made with the preset's next encoder, the job records
 * the fallback, and the job keeps the priority it was given (`--priority`).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standInFfmpeg } from './farm/stand-in-ffmpeg.ts';
import { probeMedia } from './support/media.ts';
import { runVfo, tempDir } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  dir = await tempDir('vfo-fallback-');
});
afterAll(() => dir.remove());

describe('a hardware encoder that fails at run time, on one machine', () => {
  it('encodes with the next encoder, records the fallback on the job, and keeps its priority', async () => {
    const ffmpeg = await standInFfmpeg(join(dir.path, 'ffmpeg'), { videoToolbox: true });
    const script = join(dir.path, 'short.md');
    await writeFile(script, '# One\n\nA short video, encoded on this machine.\n');
    const data = join(dir.path, 'data');
    const result = await runVfo([
      'render',
      script,
      '--ffmpeg',
      ffmpeg.path,
      '--video-preset',
      'preview-360p',
      '--priority=4',
      '--data',
      data,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [job] = JSON.parse(result.stdout) as {
      id: string;
      status: string;
      priority: number;
      output: string;
      warnings: string[];
    }[];
    expect(job).toMatchObject({ status: 'done', priority: 4 });
    expect(job?.warnings).toEqual([
      expect.stringMatching(/^encoded with libx264: h264_videotoolbox failed at run time \(/),
    ]);
    expect(ffmpeg.hardwareFailures()).toBe(1);
    expect((await probeMedia(job?.output as string)).videoCodec).toBe('h264');
    const db = new Database(join(data, 'vfo.db'), { readonly: true });
    try {
      const row = db
        .prepare("SELECT metadata FROM artifacts WHERE job_id = ? AND type = 'video'")
        .get(job?.id) as { metadata: string };
      expect(JSON.parse(row.metadata)).toMatchObject({
        encoder: 'libx264',
        fallback: { from: 'h264_videotoolbox' },
      });
    } finally {
      db.close();
    }
    const bad = await runVfo(['render', script, '--priority', 'soon', '--data', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--priority must be a whole number from -1000 to 1000/);
  });
});

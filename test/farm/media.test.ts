/**
 * A script's media travel through the farm: two real `vfo node` processes on loopback (the origin,
 * which also coordinates, with its own worker paused, and a worker-only node that does every encode).
 * `vfo submit` sends two scripts of one folder, which share a picture and a music file: each file is
 * uploaded once, content-addressed, only what the origin lacks; the worker receives them as blobs and
 * the picture appears in the video it makes; media that are missing, or outside the script's folder,
 * stop the submission before anything is sent, at the place the script names them.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ebur128 } from '../support/audio.ts';
import { cornerColour } from '../support/media.ts';
import { hasStackTrace, runVfo, tempDir } from '../support/vfo.ts';
import {
  deliveredBy,
  expectOneVideoAtOrigin,
  expectPreviewVideo,
  type FarmKeyFile,
  type JobView,
  makeFarmKey,
  type NodeProcess,
  peerOf,
  readDb,
  startNode,
  stopFarm,
} from './farm-support.ts';
import { farmReady, planOfJob } from './segment-support.ts';

const run = promisify(execFile);

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let origin: NodeProcess;
let worker: NodeProcess;
let folder: string;

const script = (title: string, sentence: string) =>
  `---\ntitle: ${title}\nmusic: music/hum.mp3\n---\n\n# Green\n\n[image fotos/green.png] ${sentence}\n`;

function submit(...args: string[]) {
  return runVfo(['submit', ...args, '--node', origin.url, '--farm-key-file', key.path, '--wait', '--json']);
}

const ffmpegRun = (args: string[]) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

const jobCount = () => readDb<{ n: number }>(origin.dataDir, 'SELECT count(*) AS n FROM jobs')[0]?.n ?? 0;

beforeAll(async () => {
  dir = await tempDir('vfo-farm-media-');
  key = await makeFarmKey(dir.path);
  [origin, worker] = await Promise.all([
    startNode({ root: dir.path, name: 'origin', key }),
    startNode({ root: dir.path, name: 'worker', key, role: 'worker' }),
  ]);
  await farmReady(key, [origin, worker]);
  await key.client.json(peerOf(origin), 'POST', '/farm/v1/worker/pause');
  folder = join(dir.path, 'talk');
  await mkdir(join(folder, 'fotos'), { recursive: true });
  await mkdir(join(folder, 'music'));
  const ffmpeg = ffmpegRun;
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'color=c=0x00ff00:s=320x240',
    '-frames:v',
    '1',
    join(folder, 'fotos', 'green.png'),
  ]);
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=f=60:r=44100:d=2', join(folder, 'music', 'hum.mp3')]);
  await writeFile(
    join(folder, 'talk.md'),
    script('Talk', 'This picture came along with its script. It travelled to another node of the farm.'),
  );
  await writeFile(
    join(folder, 'again.md'),
    script('Again', 'The same picture, named by a second script. It is sent to the farm only once.'),
  );
}, 120_000);

afterAll(() => stopFarm(dir, key));

describe('media sent with scripts to a farm', { timeout: 180_000 }, () => {
  it('are uploaded once, only what the origin lacks, and the picture is in the video another node made', async () => {
    const result = await submit(join(folder, 'talk.md'), join(folder, 'again.md'));
    expect(result.code, result.stderr).toBe(0);
    // Two scripts, one picture and one music file between them: two files sent, once each.
    expect(result.stderr).toMatch(/sent 2 media file\(s\) \([\d.]+ KB\) the node lacked; 0 it had already/);
    const jobs = JSON.parse(result.stdout) as (JobView & { steps: { key: string; data: unknown }[] })[];
    expect(jobs.map((j) => j.status)).toEqual(['done', 'done']);
    for (const job of jobs) {
      const seconds = await expectPreviewVideo(job.output as string);
      expect(deliveredBy([origin, worker], origin, expectOneVideoAtOrigin(origin, job)).name).toBe('worker');
      // The picture's scene shows the green picture, not a bundled visual.
      const [r, g, b] = await cornerColour(job.output as string, seconds / 2);
      expect(g > 180 && r < 80 && b < 80, `corner colour ${r},${g},${b}`).toBe(true);
      // At its loudness, recorded on the job.
      expect(Math.abs((await ebur128(job.output as string)).integrated - -14)).toBeLessThanOrEqual(1);
      const video = job.steps.find((s) => s.key === 'video')?.data as {
        loudness: { integratedLufs: number };
      };
      expect(Math.abs(video.loudness.integratedLufs - -14)).toBeLessThanOrEqual(1);
    }
    // The worker got the picture as a blob (its cache keeps blobs by sha256, checked when fetched).
    const plan = planOfJob(origin, jobs[0]?.id as string);
    const picture = Object.values(plan.assets).find((a) => a.kind === 'image' && a.name === 'green.png');
    const sha = picture?.sha256 as string;
    expect(existsSync(join(worker.dataDir, 'farm', 'cache', sha.slice(0, 2), sha))).toBe(true);
  });

  it('sends nothing the origin already has', async () => {
    await writeFile(join(folder, 'third.md'), script('Third', 'A third script with the same media.'));
    const result = await submit(join(folder, 'third.md'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/sent 0 media file\(s\) \(0 bytes\) the node lacked; 2 it had already/);
  });

  it('sends a thumbnail image named in the front matter, and the video’s <name>.jpg is that image', async () => {
    await run('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0xd02020:s=640x480'],
      ...['-frames:v', '1', join(folder, 'fotos', 'cover.png')],
    ]);
    await writeFile(
      join(folder, 'covered.md'),
      `---\ntitle: Covered\nthumbnail: fotos/cover.png\n---\n\n[image fotos/green.png] A script with its own thumbnail.\n`,
    );
    const result = await submit(join(folder, 'covered.md'));
    expect(result.code, result.stderr).toBe(0);
    // Only the cover is new to the origin: the picture it has already.
    expect(result.stderr).toMatch(/sent 1 media file\(s\) \([\d.]+ KB\) the node lacked; 1 it had already/);
    const [job] = JSON.parse(result.stdout) as JobView[];
    expect(job?.status).toBe('done');
    const thumbnail = String(job?.output).replace(/\.mp4$/, '.jpg');
    const { stdout } = await run(
      'ffmpeg',
      [...['-v', 'error', '-i', thumbnail, '-vf', 'scale=1:1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']],
      { encoding: 'buffer' },
    );
    const [r, g, b] = [...(stdout as Buffer)];
    expect((r ?? 0) > 180 && (g ?? 255) < 70 && (b ?? 255) < 70, `thumbnail colour ${r},${g},${b}`).toBe(
      true,
    );
  });

  it('stops before anything is sent when a file is missing or outside the folder, and says where', async () => {
    await writeFile(join(dir.path, 'secret.png'), 'not for the farm');
    await writeFile(
      join(folder, 'broken.md'),
      'Hello there. [image fotos/missing.png]\nAnd [image ../secret.png] too.\n',
    );
    const before = jobCount();
    const result = await submit(join(folder, 'talk.md'), join(folder, 'broken.md'));
    expect(result.code).toBe(2);
    const broken = join(folder, 'broken.md');
    expect(result.stderr).toContain(`${broken}:1:14: error: image not found: fotos/missing.png`);
    expect(result.stderr).toContain(`${broken}:2:5: error: image not found: ../secret.png`);
    expect(result.stderr).toContain('nothing submitted');
    expect(jobCount()).toBe(before);
  });

  it('are refused when they would leave the origin less free disk than it keeps, and no job is made', async () => {
    await ffmpegRun([
      '-f',
      'lavfi',
      '-i',
      'color=c=0x0000ff:s=320x240',
      '-frames:v',
      '1',
      join(folder, 'fotos', 'blue.png'),
    ]);
    await writeFile(join(folder, 'full.md'), 'A new picture. [image fotos/blue.png] It finds no room.\n');
    const keep = (free: string) => runVfo(['gc', '--keep-free', free, '--data', origin.dataDir]);
    expect((await keep('1000TB')).code).toBe(0);
    const before = jobCount();
    try {
      const result = await submit(join(folder, 'full.md'));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('disk is nearly full');
      expect(hasStackTrace(result.stderr)).toBe(false);
      expect(jobCount()).toBe(before);
    } finally {
      expect((await keep('default')).code).toBe(0);
    }
  });
});

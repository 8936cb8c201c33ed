/**
 * Acceptance of the title card and the thumbnail: `vfo render` with the seeded "narrated-16x9-titled"
 * recipe opens the video on the script's title and subtitle (light letters over a dimmed first scene,
 * gone after the card), and every render writes `<name>.jpg` beside `<name>.mp4`: a 1280x720 JPEG of the
 * first scene with the title drawn, or the script's own `thumbnail:` image; recorded as the `thumbnail`
 * artifact with its checksum. Pictures are measured from decoded frames; videos use the 640x360 preset.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVfo, tempDir } from './support/vfo.ts';

const run = promisify(execFile);

interface Job {
  id: string;
  status: string;
  output: string;
  artifacts: { step: string; name: string; type: string; path: string; sha256: string }[];
}

let dir: { path: string; remove(): Promise<void> };
let data: string;

async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

async function render(script: string, recipe: string): Promise<Job> {
  const result = await runVfo([
    'render',
    join(dir.path, script),
    ...['--data', data, '--recipe', recipe, '--video-preset', 'preview-360p', '--json'],
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as Job[])[0] as Job;
}

/** A picture (a video frame at `seconds`, or an image) as 8-bit luma at its own size. */
async function luma(path: string, seconds = 0): Promise<{ pixels: Buffer; width: number; height: number }> {
  const { stdout } = await run(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height,codec_name',
      '-of',
      'json',
      path,
    ],
    { encoding: 'utf8' },
  );
  const { width, height } = JSON.parse(stdout).streams[0] as { width: number; height: number };
  const raw = await run(
    'ffmpeg',
    [
      ...['-v', 'error'],
      // An image cannot be sought in, even to 0: it yields no frame.
      ...(seconds > 0 ? ['-ss', String(seconds)] : []),
      '-i',
      path,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return { pixels: raw.stdout, width, height };
}

/** Light pixels in the band around the middle of the picture (the title's place; captions are lower). */
function lightInMiddle(picture: { pixels: Buffer; width: number; height: number }): number {
  let count = 0;
  for (let y = Math.floor(picture.height * 0.3); y < Math.floor(picture.height * 0.62); y++)
    for (let x = 0; x < picture.width; x++) if ((picture.pixels[y * picture.width + x] ?? 0) > 200) count++;
  return count;
}

async function imageFacts(path: string) {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', path],
  ]);
  return JSON.parse(stdout).streams[0] as { codec_name: string; width: number; height: number };
}

async function meanRgb(path: string): Promise<[number, number, number]> {
  const raw = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  const sums: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < raw.stdout.length; i += 3) {
    sums[0] += raw.stdout[i] as number;
    sums[1] += raw.stdout[i + 1] as number;
    sums[2] += raw.stdout[i + 2] as number;
  }
  const n = raw.stdout.length / 3;
  return [sums[0] / n, sums[1] / n, sums[2] / n];
}

beforeAll(async () => {
  dir = await tempDir('vfo-title-thumbnail-');
  data = join(dir.path, 'data');
  // A dark, even first scene: light letters on it can only be the title's.
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'color=c=0x182838:s=640x360',
    '-frames:v',
    '1',
    join(dir.path, 'dark.png'),
  ]);
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'color=c=0xd02020:s=800x800',
    '-frames:v',
    '1',
    join(dir.path, 'cover.png'),
  ]);
  const body = '[image dark.png] This is the opening scene. [pause 4000ms] And this is after the title.\n';
  await writeFile(join(dir.path, 'titled.md'), `---\ntitle: Rivers\nsubtitle: Part one\n---\n\n${body}`);
  await writeFile(join(dir.path, 'own-cover.md'), `---\ntitle: Rivers\nthumbnail: cover.png\n---\n\n${body}`);
}, 60_000);
afterAll(async () => {
  await dir.remove();
});

describe('title card and thumbnail', () => {
  it('opens the video on the title, then shows the scene; writes <name>.jpg with the title drawn', async () => {
    const job = await render('titled.md', 'narrated-16x9-titled');
    expect(job.status).toBe('done');
    // Inside the card (3 s): the title's light letters in the middle; after it: none there.
    expect(lightInMiddle(await luma(job.output, 0.5))).toBeGreaterThan(500);
    expect(lightInMiddle(await luma(job.output, 4.5))).toBeLessThan(50);

    const thumbnail = join(dir.path, 'titled.jpg');
    expect(await imageFacts(thumbnail)).toEqual({ codec_name: 'mjpeg', width: 1280, height: 720 });
    expect(lightInMiddle(await luma(thumbnail))).toBeGreaterThan(5000);
    const artifact = job.artifacts.find((a) => a.name === 'thumbnail');
    expect(artifact).toMatchObject({ step: 'video', type: 'thumbnail' });
    const sha256 = createHash('sha256')
      .update(await readFile(thumbnail))
      .digest('hex');
    expect(artifact?.sha256).toBe(sha256);
  }, 180_000);

  it('a recipe without a title card leaves the opening alone, and still writes a titled thumbnail', async () => {
    await writeFile(join(dir.path, 'plain.md'), await readFile(join(dir.path, 'titled.md'), 'utf8'));
    const job = await render('plain.md', 'narrated-16x9');
    expect(lightInMiddle(await luma(job.output, 0.5))).toBeLessThan(50);
    expect(lightInMiddle(await luma(join(dir.path, 'plain.jpg')))).toBeGreaterThan(5000);
  }, 180_000);

  it('uses the script’s own thumbnail image, scaled and cropped to 1280x720', async () => {
    await render('own-cover.md', 'narrated-16x9');
    const thumbnail = join(dir.path, 'own-cover.jpg');
    expect(await imageFacts(thumbnail)).toEqual({ codec_name: 'mjpeg', width: 1280, height: 720 });
    const [r, g, b] = await meanRgb(thumbnail);
    expect(r).toBeGreaterThan(180);
    expect(Math.max(g, b)).toBeLessThan(60);
  }, 180_000);

  // Found by attacking segmented encodes: the thumbnail's ffmpeg killed while the video encoded failed
  // the step after the video was made, and the retry encoded the whole video again.
  it('makes a thumbnail that failed once again on its own, keeping the video it encoded', async () => {
    // ffmpeg as the node runs it, but the first thumbnail fails (the picture is written through
    // thumbnail.partial.jpg), as one killed would.
    const bin = join(dir.path, 'flaky-bin');
    await mkdir(bin, { recursive: true });
    const failedOnce = join(dir.path, 'thumbnail-failed-once');
    await writeFile(
      join(bin, 'ffmpeg'),
      `#!/bin/sh\ncase "$*" in *thumbnail.partial.jpg*) [ -e '${failedOnce}' ] || { : > '${failedOnce}'; exit 1; } ;; esac\nexec ffmpeg "$@"\n`,
      { mode: 0o755 },
    );
    await symlink((await run('sh', ['-c', 'command -v ffprobe'])).stdout.trim(), join(bin, 'ffprobe'));
    await writeFile(join(dir.path, 'flaky.md'), '# One\n\nA thumbnail that fails once.\n');
    const result = await runVfo([
      'render',
      join(dir.path, 'flaky.md'),
      ...['--data', data, '--video-preset', 'preview-360p', '--ffmpeg', join(bin, 'ffmpeg'), '--json'],
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(failedOnce)).toBe(true);
    const [job] = JSON.parse(result.stdout) as { steps: { key: string; attempts: number }[] }[];
    expect(job?.steps.find((s) => s.key === 'video')?.attempts).toBe(1);
    expect(await imageFacts(join(dir.path, 'flaky.jpg'))).toMatchObject({ codec_name: 'mjpeg' });
  }, 180_000);

  it('reports a missing thumbnail where the script names it, and renders nothing', async () => {
    await writeFile(join(dir.path, 'gone.md'), '---\nthumbnail: covers/gone.png\n---\n\nHello.\n');
    const result = await runVfo(['render', join(dir.path, 'gone.md'), '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${join(dir.path, 'gone.md')}:2:12: error: image not found: covers/gone.png`,
    );
  }, 60_000);
});

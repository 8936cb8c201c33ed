/**
 * Acceptance of a script's own media and sound: `vfo render` reads a clip and a music bed from the
 * script's folder; the clip's frames fill its scene (its range, looped), the music sits under the
 * narration (audible in a pause, at least 10 dB under the voice while it speaks, gone where the script
 * turns it off), a recipe's bundled bed plays when the script names none, and the finished video is at
 * its video preset's loudness, measured with ffmpeg's ebur128 and recorded on the job.
 * Media are made here with ffmpeg (lavfi), small and short; videos use the 640x360 preview preset.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ebur128, HUM_BAND, levelDb, VOICE_BAND } from './support/audio.ts';
import { cornerColour } from './support/media.ts';
import { runVfo, tempDir } from './support/vfo.ts';

const run = promisify(execFile);

interface Job {
  id: string;
  status: string;
  output: string;
  steps: { key: string; reused: boolean; data: Record<string, unknown> | null }[];
  artifacts: { step: string; name: string; path: string }[];
}
interface Cue {
  startMs: number;
  endMs: number;
  sceneIndex: number;
}

let dir: { path: string; remove(): Promise<void> };
let data: string;

async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

async function render(script: string, extra: string[] = []): Promise<Job> {
  const result = await runVfo([
    'render',
    join(dir.path, script),
    ...['--data', data, '--video-preset', 'preview-360p', '--json'],
    ...extra,
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as Job[])[0] as Job;
}

async function cuesOf(job: Job): Promise<Cue[]> {
  const timings = job.artifacts.find((a) => a.name === 'timings');
  return (JSON.parse(await readFile(timings?.path as string, 'utf8')) as { cues: Cue[] }).cues;
}

const WITH_MEDIA = `---
title: Media
music: music/hum.mp3
---

# With a clip

[clip clips/red-blue.mp4 1s-2s] This scene shows a clip, and music plays under it. [pause 2500ms] The music came up in that pause, and went down again while I spoke.

# Quiet

[music off] Here the music has stopped for good.
`;

let job: Job;
let cues: Cue[];

beforeAll(async () => {
  dir = await tempDir('vfo-media-sound-');
  data = join(dir.path, 'data');
  await mkdir(join(dir.path, 'clips'));
  await mkdir(join(dir.path, 'music'));
  // One second of red, then one of blue: the range 1s-2s is the blue second only.
  await ffmpeg([
    ...[
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=320x240:r=25:d=1',
      '-f',
      'lavfi',
      '-i',
      'color=c=blue:s=320x240:r=25:d=1',
    ],
    ...['-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0', '-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
    join(dir.path, 'clips', 'red-blue.mp4'),
  ]);
  // A 60 Hz hum, far below the voice: shorter than the scene, so it loops.
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=f=60:r=44100:d=3', join(dir.path, 'music', 'hum.mp3')]);
  await writeFile(join(dir.path, 'media.md'), WITH_MEDIA);
  job = await render('media.md');
  cues = await cuesOf(job);
}, 180_000);
afterAll(async () => dir?.remove());

describe('a script with a clip and a music bed', () => {
  it('is rendered at the preset’s loudness (-14 LUFS ±1), and the job records what was measured', async () => {
    expect(job.status).toBe('done');
    const measured = await ebur128(job.output);
    expect(Math.abs(measured.integrated - -14)).toBeLessThanOrEqual(1);
    expect(measured.truePeak).toBeLessThanOrEqual(-0.5);
    const recorded = job.steps.find((s) => s.key === 'video')?.data?.loudness as { integratedLufs: number };
    expect(Math.abs(recorded.integratedLufs - measured.integrated)).toBeLessThanOrEqual(0.2);
  });

  it('shows the clip’s range, looped, for the whole of its scene', async () => {
    const sceneEnd = (cues.filter((c) => c.sceneIndex === 0).at(-1)?.endMs ?? 0) / 1000;
    expect(sceneEnd).toBeGreaterThan(4);
    for (const at of [0.2, 1.1, sceneEnd / 2, sceneEnd - 0.3]) {
      const [r, g, b] = await cornerColour(job.output, at);
      // Blue, never the red of the clip's first second.
      expect([at, r < 60 && g < 60 && b > 180]).toEqual([at, true]);
    }
    const [r, g, b] = await cornerColour(job.output, sceneEnd + 0.8);
    expect(b > 180 && r < 60 && g < 60).toBe(false);
  });

  it('plays the music in the pause, at least 10 dB under the voice while it speaks, and not after [music off]', async () => {
    const [first, second] = cues;
    if (!first || !second) throw new Error('expected two cues in the first scene');
    expect(second.startMs - first.endMs).toBeGreaterThanOrEqual(2400);
    // The pause, once the compressor has let go (release 400 ms).
    const inPause = await levelDb(
      job.output,
      first.endMs / 1000 + 0.7,
      second.startMs / 1000 - 0.1,
      HUM_BAND,
    );
    expect(inPause).toBeGreaterThan(-45);
    // While the voice speaks: the voice above ~200 Hz against the hum below ~100 Hz, same moment.
    const from = second.startMs / 1000 + 0.3;
    const to = Math.min(second.endMs / 1000 - 0.1, from + 1.5);
    const voice = await levelDb(job.output, from, to, VOICE_BAND);
    const music = await levelDb(job.output, from, to, HUM_BAND);
    expect(voice - music).toBeGreaterThanOrEqual(10);
    expect(inPause - music).toBeGreaterThanOrEqual(6);
    // After [music off] only what the voice itself has at 60 Hz is left: far under even the ducked music.
    const quiet = cues.find((c) => c.sceneIndex === 1) as Cue;
    const after = await levelDb(job.output, quiet.startMs / 1000 + 0.1, quiet.endMs / 1000, HUM_BAND);
    expect(after).toBeLessThan(music - 15);
  });

  it('follows the preset: at -23 LUFS (EBU R128) the same script measures -23 ±1, re-making only the plan and the video', async () => {
    const db = new Database(join(data, 'vfo.db'));
    db.prepare("UPDATE video_presets SET loudness = ? WHERE slug = 'preview-360p'").run(
      JSON.stringify({ targetLufs: -23, truePeakDbtp: -1 }),
    );
    db.close();
    try {
      const quieter = await render('media.md');
      expect(Math.abs((await ebur128(quieter.output)).integrated - -23)).toBeLessThanOrEqual(1);
      expect(quieter.steps.filter((s) => !s.reused).map((s) => s.key)).toEqual(['plan', 'video']);
    } finally {
      const reset = new Database(join(data, 'vfo.db'));
      reset
        .prepare("UPDATE video_presets SET loudness = ? WHERE slug = 'preview-360p'")
        .run(JSON.stringify({ targetLufs: -14, truePeakDbtp: -1 }));
      reset.close();
    }
  }, 120_000);
});

describe('the recipe’s bundled bed', () => {
  it('plays under a script that names no music, and is silent when the script says music: off', async () => {
    const script = (music: string) =>
      `---\ntitle: Bed\n${music}---\n\nA short sentence first. [pause 2500ms] And a second one after the pause.\n`;
    await writeFile(join(dir.path, 'bed.md'), script(''));
    await writeFile(join(dir.path, 'no-bed.md'), script('music: off\n'));
    const withBed = await render('bed.md', ['--recipe', 'narrated-16x9-music']);
    const without = await render('no-bed.md', ['--recipe', 'narrated-16x9-music']);
    const pauseOf = async (j: Job) => {
      const [first, second] = await cuesOf(j);
      return levelDb(j.output, (first?.endMs ?? 0) / 1000 + 0.7, (second?.startMs ?? 0) / 1000 - 0.1);
    };
    expect(await pauseOf(withBed)).toBeGreaterThan(-45);
    expect(await pauseOf(without)).toBeLessThan(-70);
    expect(Math.abs((await ebur128(withBed.output)).integrated - -14)).toBeLessThanOrEqual(1);
  }, 120_000);
});

describe('media that are not there', () => {
  it('are reported where the script names them, and nothing is rendered', async () => {
    await writeFile(
      join(dir.path, 'broken.md'),
      '---\nmusic: ../outside.mp3\n---\n\nHello. [clip clips/gone.mp4]\n',
    );
    await writeFile(join(dir.path, '..', 'outside.mp3'), 'not in the folder').catch(() => undefined);
    const result = await runVfo(['render', join(dir.path, 'broken.md'), '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${join(dir.path, 'broken.md')}:2:8: error: music not found: ../outside.mp3`,
    );
    expect(result.stderr).toContain(
      `${join(dir.path, 'broken.md')}:5:8: error: clip not found: clips/gone.mp4`,
    );
  });

  it('a clip range past the clip’s end fails the job at the direction, as invalid input', async () => {
    await writeFile(join(dir.path, 'long-range.md'), 'Hello there. [clip clips/red-blue.mp4 1s-9s]\n');
    const result = await runVfo([
      'render',
      join(dir.path, 'long-range.md'),
      '--data',
      data,
      '--video-preset',
      'preview-360p',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /long-range\.md:1:14: error: clip "clips\/red-blue\.mp4" lasts 2 s; its range ends at 9 s/,
    );
  });

  // Found by attacking scripts: each of these passed `vfo check` and failed the plan step after the
  // whole narration was spoken. Now each medium is probed by the check, and judged as the plan judges.
  it('vfo check reads what each medium holds: a range past a clip’s end, music with no sound', async () => {
    await writeFile(join(dir.path, 'music', 'words.m4a'), 'not music at all\n');
    await writeFile(
      join(dir.path, 'probed.md'),
      '---\nmusic: music/words.m4a\n---\n# A\n\nHello there. [clip clips/red-blue.mp4 1s-9s]\n',
    );
    const result = await runVfo(['check', join(dir.path, 'probed.md'), '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('probed.md:2:8: error: music "music/words.m4a" cannot be read as audio');
    expect(result.stderr).toContain(
      'probed.md:6:14: error: clip "clips/red-blue.mp4" lasts 2 s; its range ends at 9 s',
    );
    // Within the clip, and with real music, it passes.
    await writeFile(
      join(dir.path, 'probed.md'),
      '---\nmusic: music/hum.mp3\n---\n# A\n\nHello there. [clip clips/red-blue.mp4 1s-2s]\n',
    );
    const fixed = await runVfo(['check', join(dir.path, 'probed.md'), '--data', data]);
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
  });

  // Found by attacking scripts: a clip whose header gave its sound's length (a second of video under
  // six of sound) passed the plan with a range past its video, and failed the encode three times,
  // unlocated, with the data folder's paths in the error.
  it('a clip range where the clip has no picture fails at the direction, as invalid input', async () => {
    await ffmpeg([
      ...['-f', 'lavfi', '-i', 'color=c=red:s=64x36:r=10:d=1', '-f', 'lavfi', '-i', 'sine=d=6'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', join(dir.path, 'clips', 'short.mkv')],
    ]);
    await writeFile(join(dir.path, 'no-picture.md'), 'Hello there. [clip clips/short.mkv 3s-4s]\n');
    const result = await runVfo([
      ...['render', join(dir.path, 'no-picture.md'), '--data', data],
      ...['--video-preset', 'preview-360p'],
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /no-picture\.md:1:14: error: clip "clips\/short\.mkv" has no video from 3 s to 4 s/,
    );
    expect(result.stderr).not.toContain(data);
  });

  // Found by attacking a render: a script naming one long clip in many scenes, each with a range a
  // tenth of a second apart, had the whole range of each encoded (and the file copied once per scene):
  // CPU and disk grew with the clip, not with the video.
  it('cuts a clip’s range only as long as its scene shows it', async () => {
    await ffmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc=s=160x120:r=25:d=20'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(dir.path, 'clips', 'long.mp4')],
    ]);
    await writeFile(
      join(dir.path, 'long-clip.md'),
      '# One\n\n[clip clips/long.mp4 0s-20s] Hello.\n\n# Two\n\n[clip clips/long.mp4 0.1s-20s] Again.\n',
    );
    const rendered = await render('long-clip.md');
    const clips = rendered.artifacts.filter((a) => a.step === 'plan' && /^clip-\d+$/.test(a.name));
    expect(clips).toHaveLength(2);
    for (const clip of clips) {
      const { stdout } = await promisify(execFile)('ffprobe', [
        ...['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', clip.path],
      ]);
      // Each scene is one word (about a second, under 3 s with the pause after it) and a second more.
      expect(Number(stdout)).toBeLessThan(5);
      expect(Number(stdout)).toBeGreaterThan(1);
    }
  }, 120_000);
});

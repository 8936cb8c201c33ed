/**
 * Tiny real media for the ffmpeg tests (made with ffmpeg itself) and a plan builder.
 * Test-only helper: nothing in the module imports it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AssetRef, RenderPlan } from '../../shared/render-plan.ts';

export const FFMPEG = '/usr/bin/ffmpeg';
export const FFPROBE = '/usr/bin/ffprobe';
export const FONT_PATH = resolve(import.meta.dirname, '../../../resources/fonts/DejaVuSans-Bold.ttf');

export function makeTempDir(prefix = 'vf-ffmpeg-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function ffmpeg(args: string[]): void {
  execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
}

export function makeSineWav(path: string, seconds: number, frequency = 440): string {
  ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=${frequency}:sample_rate=22050:duration=${seconds}`, path]);
  return path;
}

export function makeImage(path: string, width = 400, height = 300): string {
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=1`, '-frames:v', '1', path]);
  return path;
}

/** A picture of one colour ("0xe02020" or "#e02020"): RGB for a .png, BT.601 full range for a .jpg. */
export function makeSolidImage(path: string, colour: string, width = 400, height = 300): string {
  ffmpeg(['-f', 'lavfi', '-i', `color=c=${colour}:s=${width}x${height}`, '-frames:v', '1', path]);
  return path;
}

/** A small PNG of one colour, as bytes (a picture sent over the network). */
export function solidPngBytes(colour: string, width = 16, height = 16): Buffer {
  return execFileSync(FFMPEG, [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi'],
    ...[
      '-i',
      `color=c=${colour}:s=${width}x${height}`,
      '-frames:v',
      '1',
      '-c:v',
      'png',
      '-f',
      'image2pipe',
      '-',
    ],
  ]);
}

export function makeClip(path: string, seconds: number, width = 160, height = 120): string {
  const source = `testsrc2=size=${width}x${height}:rate=25:duration=${seconds}`;
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    source,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    path,
  ]);
  return path;
}

/** An ASS file whose one cue covers the whole video, in big white DejaVu Sans Bold. */
export function makeAss(path: string, text: string, untilSeconds = 9): string {
  return writeAssCues(path, [{ startS: 0, endS: untilSeconds, text }], 40);
}

/** An ASS file with these cues (seconds), white DejaVu Sans Bold of `fontSize` on a 320x180 canvas. */
export function writeAssCues(
  path: string,
  cues: { startS: number; endS: number; text: string }[],
  fontSize: number,
): string {
  const time = (s: number) => {
    const minutes = Math.floor(s / 60);
    return `0:${String(minutes).padStart(2, '0')}:${(s - minutes * 60).toFixed(2).padStart(5, '0')}`;
  };
  const ass = [
    '[Script Info]',
    'ScriptType: v4.00+',
    'PlayResX: 320',
    'PlayResY: 180',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    `Style: Default,DejaVu Sans,${fontSize},&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,-1,0,0,0,100,100,0,0,1,3,0,2,10,10,10,1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...cues.map((c) => `Dialogue: 0,${time(c.startS)},${time(c.endS)},Default,,0,0,0,,${c.text}`),
    '',
  ].join('\n');
  writeFileSync(path, ass);
  return path;
}

const FAKE_SHA = 'a'.repeat(64);

export function asset(kind: AssetRef['kind'], name: string): AssetRef {
  return { sha256: FAKE_SHA, size: 1, kind, name };
}

/** A small valid plan; scenes and assets can be replaced by the caller. */
export function tinyPlan(overrides: Partial<RenderPlan> = {}): RenderPlan {
  return {
    version: 1,
    id: 'test-plan',
    title: 'Test',
    output: {
      container: 'mp4',
      width: 320,
      height: 180,
      fps: 25,
      videoCodec: 'h264',
      encoders: ['libx264'],
      bitrate: '1M',
      crf: 30,
      speedPreset: 'ultrafast',
      pixelFormat: 'yuv420p',
      audioCodec: 'aac',
      audioBitrate: '64k',
      audioSampleRate: 44100,
    },
    durationMs: 2000,
    assets: { img: asset('image', 'img.png'), narration: asset('audio', 'narration.wav') },
    scenes: [
      { startMs: 0, durationMs: 1200, visual: { kind: 'image', asset: 'img', motion: 'zoom-in' } },
      { startMs: 1200, durationMs: 800, visual: { kind: 'color', color: '#204060' } },
    ],
    audio: { narration: 'narration' },
    ...overrides,
  };
}

/** A music bed of one span over the whole video (`durationMs`), with the mix settings a preset would give. */
export function musicOf(
  assetId: string,
  gainDb: number,
  duckDb: number,
  durationMs = 2000,
  fadeMs = 200,
): NonNullable<RenderPlan['audio']['music']> {
  return {
    spans: [{ asset: assetId, startMs: 0, durationMs, gainDb }],
    duckDb,
    attackMs: 20,
    releaseMs: 400,
    fadeInMs: fadeMs,
    fadeOutMs: fadeMs,
  };
}

/** A small executable shell script: a fake ffmpeg/ffprobe/runner for tests (fakes, not mocks). */
export function writeScript(path: string, body: string, mode = 0o755): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode });
  return path;
}

/** Pids of live processes whose command line mentions `needle` (Linux /proc). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (cmdline.includes(needle) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Whether a process of this pid still exists (signal 0 only asks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** Frame `n` of a video as 8-bit luma, row by row. */
export function lumaFrame(path: string, n: number): Buffer {
  return execFileSync(
    FFMPEG,
    [
      '-v',
      'error',
      '-i',
      path,
      '-vf',
      `select=eq(n\\,${n}),format=gray`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
}

/** Pixels brighter than `level` in the middle half of a luma frame (where the title is centred). */
export function lightPixels(luma: Buffer, width: number, height: number, level = 200): number {
  let count = 0;
  for (let y = Math.floor(height / 4); y < Math.floor((3 * height) / 4); y++)
    for (let x = 0; x < width; x++) if ((luma[y * width + x] ?? 0) > level) count++;
  return count;
}

export function meanLuma(luma: Buffer): number {
  let sum = 0;
  for (const v of luma) sum += v;
  return sum / luma.length;
}

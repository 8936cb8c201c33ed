import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sceneFrames } from '../../shared/plan-frames.ts';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { buildEncodeCommand, type EncodeCommandInput } from './command.ts';
import { isFfmpegError } from './errors.ts';
import { escapeGraphText, escapeOptionValue, filterPath } from './filters.ts';
import {
  asset,
  FFMPEG,
  FFPROBE,
  makeClip,
  makeImage,
  makeSineWav,
  makeTempDir,
  musicOf,
  tinyPlan,
} from './test-fixtures.ts';

const valueAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
const build = (command: EncodeCommandInput) => buildEncodeCommand(command).args;

/** Runs the command with real ffmpeg, its side files (the zooms' keyframe commands) written first. */
function runCommand(command: EncodeCommandInput): void {
  const { args, files } = buildEncodeCommand(command);
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.text);
  }
  execFileSync(FFMPEG, args);
}
const graphOf = (args: string[]) => valueAfter(args, '-filter_complex') ?? '';

function input(plan: RenderPlan, overrides: Partial<EncodeCommandInput> = {}): EncodeCommandInput {
  const assetPaths = Object.fromEntries(
    Object.entries(plan.assets).map(([id, ref]) => [id, `/media/${ref.name}`]),
  );
  return { plan, assetPaths, outPath: '/out/video.mp4', encoder: 'libx264', ...overrides };
}

/** The command line without the demuxer restriction every medium is opened with, and a picture's size bound. */
function unrestricted(args: readonly string[]): string {
  return args
    .join(' ')
    .replaceAll(/-format_whitelist \S+ /g, '')
    .replaceAll(/-max_pixels \d+ /g, '');
}

describe('filter escaping', () => {
  it('escapes both parsing levels', () => {
    expect(escapeOptionValue(`/a b/it's:x\\y`)).toBe(`/a b/it\\'s\\:x\\\\y`);
    expect(escapeGraphText(`a,b;c[d]'e\\f`)).toBe(`a\\,b\\;c\\[d\\]\\'e\\\\f`);
    expect(filterPath(`/tmp/it's: here, [x]/c.ass`)).toBe(`/tmp/it\\\\\\'s\\\\: here\\, \\[x\\]/c.ass`);
  });
});

describe('sceneFrames', () => {
  it('adds up to the frames of the whole video whatever the rounding', () => {
    const durations = [333, 333, 334, 1001, 999, 17];
    let start = 0;
    let total = 0;
    for (const d of durations) {
      total += sceneFrames(start, d, 30);
      start += d;
    }
    expect(total).toBe(Math.round((start * 30) / 1000));
  });
});

describe('buildEncodeCommand', () => {
  it('encodes with libx264 crf + preset, output settings and progress on stdout', () => {
    const plan = tinyPlan();
    const args = build(input(plan, { threads: 2 }));
    expect(args.slice(0, 8)).toEqual([
      '-hide_banner',
      '-nostdin',
      '-y',
      '-loglevel',
      'error',
      '-progress',
      'pipe:1',
      '-nostats',
    ]);
    expect(valueAfter(args, '-c:v')).toBe('libx264');
    expect(valueAfter(args, '-preset')).toBe('ultrafast');
    expect(valueAfter(args, '-crf')).toBe('30');
    expect(args).not.toContain('-b:v');
    expect(valueAfter(args, '-pix_fmt')).toBe('yuv420p');
    expect(valueAfter(args, '-r')).toBe('25');
    expect(valueAfter(args, '-g')).toBe('50');
    expect(valueAfter(args, '-t')).toBe('2.000');
    expect(valueAfter(args, '-threads')).toBe('2');
    expect(valueAfter(args, '-b:a')).toBe('64k');
    expect(valueAfter(args, '-ar')).toBe('44100');
    expect(valueAfter(args, '-movflags')).toBe('+faststart');
    expect(args.slice(-3)).toEqual(['-f', 'mp4', '/out/video.mp4']);
  });

  it('gives VideoToolbox a bitrate and never crf or a preset', () => {
    const plan = tinyPlan();
    const args = build(input(plan, { encoder: 'hevc_videotoolbox' }));
    expect(valueAfter(args, '-b:v')).toBe('1M');
    // Hardware only: a busy or missing encoder fails and falls back, never encodes in software.
    expect(args).not.toContain('-allow_sw');
    expect(valueAfter(args, '-tag:v')).toBe('hvc1');
    expect(args).not.toContain('-crf');
    expect(args).not.toContain('-q:v');
    expect(args).not.toContain('-preset');
    expect(args).not.toContain('-threads');
  });

  it('hands VideoToolbox nv12, its own format, converted once at the end of the graph; others the plan’s', () => {
    const plan = tinyPlan();
    const toolbox = build(input(plan, { encoder: 'h264_videotoolbox' }));
    expect(valueAfter(toolbox, '-pix_fmt')).toBe('nv12');
    expect(graphOf(toolbox)).toMatch(/\[v\w+\]format=nv12\[vout\]/);
    // Every filter before works in yuv420p: one conversion, at the end.
    expect(graphOf(toolbox).match(/nv12/g)).toHaveLength(1);
    const software = build(input(plan, { encoder: 'libx264' }));
    expect(valueAfter(software, '-pix_fmt')).toBe(plan.output.pixelFormat);
    expect(graphOf(software)).not.toContain('nv12');
  });

  it('decodes a reused still once, loops clips only when asked, and frames each scene exactly', () => {
    const plan = tinyPlan({
      durationMs: 3000,
      assets: {
        img: asset('image', 'img.png'),
        clip: asset('video', 'clip.mp4'),
        narration: asset('audio', 'n.wav'),
      },
      scenes: [
        { startMs: 0, durationMs: 1000, visual: { kind: 'image', asset: 'img', motion: 'pan-left' } },
        { startMs: 1000, durationMs: 700, visual: { kind: 'clip', asset: 'clip', loop: true } },
        { startMs: 1700, durationMs: 500, visual: { kind: 'clip', asset: 'clip', loop: false } },
        { startMs: 2200, durationMs: 800, visual: { kind: 'image', asset: 'img', motion: 'none' } },
      ],
    });
    const args = build(input(plan));
    expect(args.filter((a) => a === '/media/img.png')).toHaveLength(1);
    // Every medium is opened only by the demuxers a medium may have (media-input.ts).
    const inputs = args.join(' ').match(/(?:-format_whitelist \S+ )?-i \S+/g) ?? [];
    expect(inputs.length).toBeGreaterThan(0);
    for (const opened of inputs) expect(opened).toMatch(/^-format_whitelist image2,/);
    expect(unrestricted(args)).toContain(
      '-stream_loop -1 -i /media/clip.mp4 -i /media/clip.mp4 -i /media/n.wav',
    );
    const graph = graphOf(args);
    expect(graph).toContain('split=2');
    expect(graph).toContain('concat=n=4:v=1:a=0');
    const frames = [...graph.matchAll(/trim=(?:start_frame=0:)?end_frame=(\d+)/g)].map((m) => Number(m[1]));
    // Each scene's frames, then the whole video trimmed to its 3 s on the frame grid.
    expect(frames).toEqual([25, 18, 12, 20, 75]);
  });

  it('ducks music under the narration, or just mixes it when duckDb is 0', () => {
    const withMusic = (duckDb: number) =>
      tinyPlan({
        assets: { ...tinyPlan().assets, music: asset('audio', 'music.mp3') },
        audio: { narration: 'narration', music: musicOf('music', -18, duckDb) },
      });
    const ducked = build(input(withMusic(12)));
    expect(unrestricted(ducked)).toContain('-stream_loop -1 -i /media/music.mp3');
    expect(graphOf(ducked)).toContain('volume=-18dB');
    expect(graphOf(ducked)).toMatch(/sidechaincompress=[^;]*attack=20:release=400[^;]*mix=0\.7488/);
    expect(graphOf(ducked)).toContain('atrim=end_sample=88200[aout]');
    expect(graphOf(build(input(withMusic(0))))).not.toContain('sidechaincompress');
  });

  it('burns captions with a fonts folder, escaped', () => {
    const plan = tinyPlan({
      assets: { ...tinyPlan().assets, subs: asset('subtitles', 'c.ass'), font: asset('font', 'f.ttf') },
      captions: { asset: 'subs', font: 'font', burnIn: true },
    });
    const paths = { ...input(plan).assetPaths, subs: "/m/it's: x/c.ass", font: '/fonts dir/f.ttf' };
    const graph = graphOf(build(input(plan, { assetPaths: paths })));
    expect(graph).toContain(`subtitles=filename=${filterPath("/m/it's: x/c.ass")}:fontsdir=/fonts dir[vsub]`);
    const explicit = graphOf(build(input(plan, { assetPaths: paths, fontsDir: '/app/fonts' })));
    expect(explicit).toContain(':fontsdir=/app/fonts[vsub]');
    const notBurned = { ...plan, captions: { asset: 'subs', burnIn: false } };
    const soft = build(input(notBurned, { assetPaths: paths }));
    expect(graphOf(soft)).not.toContain('subtitles');
    // Not burned in: a caption track instead.
    expect(soft.join(' ')).toContain(`-i /m/it's: x/c.ass -filter_complex`);
    expect(soft.join(' ')).toContain('-map 2:s:0 -c:s mov_text');
  });

  it('refuses an asset without a file path', () => {
    const plan = tinyPlan();
    const error = (() => {
      try {
        return build(input(plan, { assetPaths: { narration: '/n.wav' } }));
      } catch (e) {
        return e;
      }
    })();
    expect(isFfmpegError(error, 'invalid-request')).toBe(true);
    expect(String(error)).toContain('"img"');
  });

  it('produces a graph real ffmpeg runs: clips, looping, held last frame, stills, music', () => {
    const tmp = makeTempDir('vf-command-');
    try {
      const plan = tinyPlan({
        durationMs: 2400,
        assets: {
          img: asset('image', 'img.png'),
          clip: asset('video', 'clip.mp4'),
          narration: asset('audio', 'n.wav'),
          music: asset('audio', 'm.wav'),
        },
        scenes: [
          { startMs: 0, durationMs: 600, visual: { kind: 'image', asset: 'img', motion: 'zoom-out' } },
          { startMs: 600, durationMs: 800, visual: { kind: 'clip', asset: 'clip', loop: true } },
          { startMs: 1400, durationMs: 600, visual: { kind: 'clip', asset: 'clip', loop: false } },
          { startMs: 2000, durationMs: 400, visual: { kind: 'image', asset: 'img', motion: 'pan-right' } },
        ],
        audio: { narration: 'narration', music: musicOf('music', -12, 9, 2400) },
      });
      const assetPaths = {
        img: makeImage(join(tmp.dir, 'img.png'), 300, 300),
        clip: makeClip(join(tmp.dir, 'clip.mp4'), 0.3),
        narration: makeSineWav(join(tmp.dir, 'n.wav'), 1),
        music: makeSineWav(join(tmp.dir, 'm.wav'), 0.5, 220),
      };
      const out = join(tmp.dir, 'out.mp4');
      runCommand({ plan, assetPaths, outPath: out, encoder: 'libx264' });
      const probe = JSON.parse(
        execFileSync(
          FFPROBE,
          ['-v', 'error', '-count_frames', '-print_format', 'json', '-show_streams', out],
          {
            encoding: 'utf8',
          },
        ),
      ) as { streams: { codec_type: string; nb_read_frames?: string; duration: string; width?: number }[] };
      const video = probe.streams.find((s) => s.codec_type === 'video');
      const audio = probe.streams.find((s) => s.codec_type === 'audio');
      expect(video?.nb_read_frames).toBe('60');
      expect(video?.width).toBe(320);
      expect(Number(video?.duration)).toBeCloseTo(2.4, 2);
      expect(Number(audio?.duration)).toBeCloseTo(2.4, 1);
    } finally {
      tmp.cleanup();
    }
  });

  it('ducks the music while the narration speaks and brings it back after', () => {
    const tmp = makeTempDir('vf-duck-');
    try {
      const plan = tinyPlan({
        durationMs: 2400,
        assets: { narration: asset('audio', 'n.wav'), music: asset('audio', 'm.wav') },
        scenes: [{ startMs: 0, durationMs: 2400, visual: { kind: 'color', color: '#000000' } }],
        audio: { narration: 'narration', music: musicOf('music', -6, 12, 2400, 0) },
      });
      // Narration: 1 s of 3 kHz then silence; music: a 100 Hz hum, isolated below with low-pass filters.
      const assetPaths = {
        narration: makeSineWav(join(tmp.dir, 'n.wav'), 1, 3000),
        music: makeSineWav(join(tmp.dir, 'm.wav'), 0.5, 100),
      };
      const out = join(tmp.dir, 'out.mp4');
      runCommand({ plan, assetPaths, outPath: out, encoder: 'libx264' });
      const musicDb = (from: number, to: number) => {
        const filter = `atrim=${from}:${to},lowpass=f=300,lowpass=f=300,lowpass=f=300,astats=measure_perchannel=none:measure_overall=RMS_level`;
        const result = spawnSync(
          FFMPEG,
          ['-hide_banner', '-nostdin', '-i', out, '-af', filter, '-f', 'null', '-'],
          {
            encoding: 'utf8',
          },
        );
        return Number(/RMS level dB: (-?[\d.]+)/.exec(result.stderr)?.[1]);
      };
      const underSpeech = musicDb(0.2, 0.8);
      const afterSpeech = musicDb(1.5, 2.2);
      expect(afterSpeech).toBeGreaterThan(-40);
      expect(afterSpeech - underSpeech).toBeGreaterThan(8);
      expect(afterSpeech - underSpeech).toBeLessThan(14);
    } finally {
      tmp.cleanup();
    }
  });
});

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { captionStates, frameTimeMs, readAssTimeline } from './caption-overlay.ts';
import { buildEncodeCommand } from './command.ts';
import { measureCaptionBox, writeSideFiles } from './encode-job.ts';
import { sampledPsnr } from './look-metrics.ts';
import {
  asset,
  FFMPEG,
  FONT_PATH,
  makeImage,
  makeSineWav,
  makeTempDir,
  tinyPlan,
  writeAssCues,
} from './test-fixtures.ts';

const events = (text: string) =>
  `[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n${text}\n`;

describe('ASS timeline', () => {
  it('reads the Dialogue times, commas in the text included', () => {
    const timeline = readAssTimeline(
      `[Script Info]\nPlayResX: 320\n\n${events(
        'Dialogue: 0,0:00:01.50,0:00:02.25,Default,,0,0,0,,Hello, world\nComment: 0,0:00:05.00,0:00:06.00,Default,,0,0,0,,not shown\nDialogue: 0,1:02:03.04,1:02:04.00,Default,,0,0,0,,Later',
      )}`,
    );
    expect(timeline).toEqual({
      kind: 'static',
      events: [
        { startMs: 1500, endMs: 2250 },
        { startMs: 3_723_040, endMs: 3_724_000 },
      ],
    });
  });

  it('asks for per-frame drawing when an event changes on screen', () => {
    for (const text of [
      '{\\k20}Kar{\\k30}aoke',
      '{\\kf50}Sweep',
      '{\\t(\\fs40)}Grow',
      '{\\move(0,0,10,10)}Go',
      '{\\fad(200,200)}Fade',
    ]) {
      const timeline = readAssTimeline(events(`Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,${text}`));
      expect(timeline.kind, text).toBe('per-frame');
    }
    expect(
      readAssTimeline(events('Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,Scroll up;10;100;,x')).kind,
    ).toBe('per-frame');
    // Static overrides (bold, colour, position) are drawn once like plain text.
    const styled = readAssTimeline(
      events('Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,{\\b1\\c&H00FFFF&\\pos(10,10)}x'),
    );
    expect(styled.kind).toBe('static');
    expect(readAssTimeline('no events here').kind).toBe('per-frame');
  });

  it('times frames as the subtitles filter does (pts * 1/fps * 1000, truncated)', () => {
    // 111 * (1/30) * 1000 is 3699.9999999999995 in doubles: libass is asked for 3699 ms, not 3700.
    expect(frameTimeMs(111, 30)).toBe(3699);
    expect(frameTimeMs(30, 30)).toBe(1000);
  });

  it('cuts the frames into runs that show the same events', () => {
    const evs = [
      { startMs: 100, endMs: 200 },
      { startMs: 200, endMs: 300 },
      { startMs: 1000, endMs: 1100 },
    ];
    // At 30 fps frame 3 is drawn at 100 ms (the first event starts), frame 6 at 200 ms (the second).
    expect(captionStates(evs, 30, 0, 60)).toEqual([0, 3, 6, 9, 30, 33]);
    // An event starting at 3700 ms is first drawn on frame 112: frame 111 is drawn at 3699 ms.
    expect(captionStates([{ startMs: 3700, endMs: 4000 }], 30, 100, 30)).toEqual([100, 112, 120]);
    // A segment starting inside a run begins with that run's state.
    expect(captionStates(evs, 30, 5, 20)).toEqual([5, 6, 9]);
  });
});

/** Encodes `plan` (captions drawn once per state when `captionsText` is given, else every frame). */
async function renderCaptions(
  dir: string,
  plan: RenderPlan,
  paths: Record<string, string>,
  name: string,
  captionsText?: string,
) {
  const outPath = join(dir, name);
  const input = { plan, assetPaths: paths, outPath, encoder: 'libx264', captionsText };
  const captionBox = await measureCaptionBox(FFMPEG, input);
  const command = buildEncodeCommand({ ...input, captionBox });
  await writeSideFiles(command.files);
  execFileSync(FFMPEG, command.args);
  return { outPath, captionBox, graph: command.args[command.args.indexOf('-filter_complex') + 1] ?? '' };
}

describe('captions drawn once per state', () => {
  const temp = makeTempDir('vf-caps-');
  afterAll(() => temp.cleanup());

  // Found by attacking the farm's controls: ffmpeg 5.1 takes a sum of at most 100 terms, and a video
  // whose captions changed 101 times failed every encode drawn in one part.
  it('draws more than 100 caption states, the same as drawing every frame', async () => {
    const cues = Array.from({ length: 130 }, (_, i) => ({
      startS: 1.2 * i,
      endS: 1.2 * (i + 1),
      text: `Caption number ${i}`,
    }));
    const seconds = 1.2 * cues.length;
    const paths = {
      img: makeImage(join(temp.dir, 'many.png'), 160, 90),
      narration: makeSineWav(join(temp.dir, 'many.wav'), seconds),
      captions: writeAssCues(join(temp.dir, 'many.ass'), cues, 10),
      font: FONT_PATH,
    };
    const plan: RenderPlan = tinyPlan({
      output: { ...tinyPlan().output, width: 160, height: 90, fps: 10, crf: 0 },
      durationMs: seconds * 1000,
      assets: {
        img: asset('image', 'many.png'),
        narration: asset('audio', 'many.wav'),
        captions: asset('subtitles', 'many.ass'),
        font: asset('font', 'DejaVuSans-Bold.ttf'),
      },
      scenes: [
        { startMs: 0, durationMs: seconds * 1000, visual: { kind: 'image', asset: 'img', motion: 'none' } },
      ],
      captions: { asset: 'captions', font: 'font', burnIn: true },
    });
    const once = await renderCaptions(
      temp.dir,
      plan,
      paths,
      'many-once.mp4',
      readFileSync(paths.captions, 'utf8'),
    );
    const everyFrame = await renderCaptions(temp.dir, plan, paths, 'many-every.mp4');
    expect(once.graph).toContain('overlay=');
    expect(everyFrame.graph).not.toContain('overlay=');
    const psnr = sampledPsnr(FFMPEG, once.outPath, everyFrame.outPath, 6);
    expect(psnr).toHaveLength(260);
    expect(Math.min(...psnr)).toBeGreaterThan(55);
  }, 60_000);

  it('puts the same pixels on screen as drawing every frame, with one event per word', async () => {
    const words = 'Every word of this caption has its own event, as a karaoke-style highlight would'.split(
      ' ',
    );
    // An event per word (each word highlighted in turn over the whole line), back to back, 0.5 s each.
    const cues = words.map((_, i) => ({
      startS: 0.5 * i,
      endS: 0.5 * (i + 1),
      text: words.map((w, j) => (j === i ? `{\\c&H00FFFF&}${w}{\\r}` : w)).join(' '),
    }));
    const paths = {
      img: makeImage(join(temp.dir, 'img.png'), 640, 360),
      narration: makeSineWav(join(temp.dir, 'n.wav'), 8),
      captions: writeAssCues(join(temp.dir, 'words.ass'), cues, 14),
      font: FONT_PATH,
    };
    const plan: RenderPlan = tinyPlan({
      output: { ...tinyPlan().output, width: 640, height: 360, crf: 0 },
      durationMs: 8000,
      assets: {
        img: asset('image', 'img.png'),
        narration: asset('audio', 'n.wav'),
        captions: asset('subtitles', 'words.ass'),
        font: asset('font', 'DejaVuSans-Bold.ttf'),
      },
      scenes: [{ startMs: 0, durationMs: 8000, visual: { kind: 'image', asset: 'img', motion: 'zoom-in' } }],
      captions: { asset: 'captions', font: 'font', burnIn: true },
    });
    const render = (name: string, captionsText?: string) =>
      renderCaptions(temp.dir, plan, paths, name, captionsText);
    const once = await render('once.mp4', readFileSync(paths.captions, 'utf8'));
    const everyFrame = await render('every.mp4');
    expect(once.graph).toContain('overlay=');
    expect(everyFrame.graph).not.toContain('overlay=');
    expect(everyFrame.captionBox).toBeUndefined();
    // The layer is cropped to the band the captions use (one line at the bottom), on even pixels.
    const box = once.captionBox;
    expect(box && box.height < 0.3 * 360 && box.y > 180 && box.x % 2 === 0 && box.width % 2 === 0).toBe(true);
    expect(once.graph).toContain(`crop=${box?.width}:${box?.height}:${box?.x}:${box?.y}`);
    // Lossless encodes: the only differences are rounding in the overlay (measured ~70 dB).
    const psnr = sampledPsnr(FFMPEG, once.outPath, everyFrame.outPath, 1);
    expect(psnr).toHaveLength(200);
    expect(Math.min(...psnr)).toBeGreaterThan(55);
    // Captions changing every few frames cost less drawn every frame: a word every 0.1 s (2.5 frames).
    const fast = Array.from({ length: 80 }, (_, i) => ({
      startS: 0.1 * i,
      endS: 0.1 * (i + 1),
      text: `w${i}`,
    }));
    writeAssCues(join(temp.dir, 'fast.ass'), fast, 14);
    const dense = buildEncodeCommand({
      plan,
      assetPaths: { ...paths, captions: join(temp.dir, 'fast.ass') },
      outPath: join(temp.dir, 'dense.mp4'),
      encoder: 'libx264',
      captionsText: readFileSync(join(temp.dir, 'fast.ass'), 'utf8'),
    });
    const graph = dense.args[dense.args.indexOf('-filter_complex') + 1] ?? '';
    expect(graph).not.toContain('overlay=');
    expect(graph).toContain('subtitles=');
  });
});

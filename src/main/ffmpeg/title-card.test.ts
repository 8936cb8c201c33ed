import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetsUsedBy, planFrameCount } from '../../shared/plan-frames.ts';
import type { RenderPlan, Segment } from '../../shared/render-plan.ts';
import { DEFAULT_TITLE_LOOK, type PlanTitleCard } from '../../shared/title-card.ts';
import { wrapWords } from '../captions/wrap.ts';
import { runEncode } from './encode-job.ts';
import { encodeAudioTrack, joinSegments } from './join.ts';
import {
  asset,
  FFMPEG,
  FFPROBE,
  FONT_PATH,
  lightPixels,
  lumaFrame,
  makeSineWav,
  makeTempDir,
  meanLuma,
  tinyPlan,
  writeAssCues,
} from './test-fixtures.ts';
import { layoutTitle, measureFont, titleLayerSource } from './title-card.ts';

/** md5 of every decoded frame, in order. */
function frameHashes(path: string): string[] {
  const out = execFileSync(FFMPEG, ['-v', 'error', '-i', path, '-map', '0:v:0', '-f', 'framemd5', '-'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return out
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').at(-1)?.trim() ?? '');
}

describe('title layout', () => {
  // Found by attacking scripts: a title of spaces left "trim=end_frame=N," with nothing after it.
  it('makes a layer ffmpeg can draw for a title that lays out no line', () => {
    const files: { path: string; text: string }[] = [];
    const temp = makeTempDir();
    const source = titleLayerSource(
      { title: '   ' },
      DEFAULT_TITLE_LOOK,
      FONT_PATH,
      { width: 64, height: 36 },
      10,
      2,
      { workDir: temp.dir, tag: 'blank', files },
    );
    temp.cleanup();
    expect(files).toEqual([]);
    execFileSync(FFMPEG, ['-v', 'error', '-filter_complex', source, '-frames:v', '1', '-f', 'null', '-']);
  });

  it('wraps words into lines of at most the given length, splitting a word longer than a line', () => {
    expect(wrapWords('How the river found its way home', 12)).toEqual([
      'How the',
      'river found',
      'its way home',
    ]);
    expect(wrapWords('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('keeps a long title inside the frame: smaller type, at most three lines, centred block', () => {
    const size = { width: 320, height: 180 };
    const lines = layoutTitle(
      {
        title: 'A very long title that will never fit on one line of a small frame',
        subtitle: 'and a subtitle',
      },
      DEFAULT_TITLE_LOOK,
      size,
      measureFont(FONT_PATH),
    );
    const titleLines = lines.filter((l) => l.color === DEFAULT_TITLE_LOOK.titleColor);
    expect(titleLines.length).toBeLessThanOrEqual(3);
    for (const line of lines) expect(line.text.length * line.sizePx * 0.6).toBeLessThan(size.width);
    const top = lines[0]?.y ?? 0;
    const last = lines.at(-1) as { y: number; sizePx: number };
    // Centred: the space above the block and below it differ by less than a line.
    expect(Math.abs(top - (size.height - (last.y + last.sizePx)))).toBeLessThan(last.sizePx * 1.5);
  });
});

// Found by attacking the output: lines were broken by an average width of 0.64 em a letter, and a
// title of wide capitals (W is 1.1 em) ran off both sides of the frame.
describe('a title of wide letters', () => {
  it('is wrapped by the widths its font draws, and every lit pixel is inside the frame', () => {
    const size = { width: 320, height: 180 };
    const title = 'WWWWW MMMMMM WWWW MMMWWM';
    const measure = measureFont(FONT_PATH);
    expect(measure('W')).toBeGreaterThan(1);
    const lines = layoutTitle({ title }, DEFAULT_TITLE_LOOK, size, measure);
    for (const line of lines) expect(measure(line.text) * line.sizePx).toBeLessThanOrEqual(size.width * 0.88);
    const temp = makeTempDir();
    try {
      const files: { path: string; text: string }[] = [];
      const source = titleLayerSource({ title }, { ...DEFAULT_TITLE_LOOK, dim: 0 }, FONT_PATH, size, 10, 1, {
        workDir: temp.dir,
        tag: 'wide',
        files,
      });
      for (const file of files) writeFileSync(file.path, file.text);
      const png = join(temp.dir, 'wide.png');
      execFileSync(FFMPEG, ['-v', 'error', '-filter_complex', source, '-frames:v', '1', png]);
      // The alpha of the first and last columns: nothing drawn there.
      const edges = execFileSync(FFMPEG, [
        '-v',
        'error',
        '-i',
        png,
        '-vf',
        'alphaextract,crop=1:ih:0:0',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        '-',
      ]);
      const right = execFileSync(FFMPEG, [
        '-v',
        'error',
        '-i',
        png,
        '-vf',
        'alphaextract,crop=1:ih:iw-1:0',
        '-f',
        'rawvideo',
        '-pix_fmt',
        'gray',
        '-',
      ]);
      expect(Math.max(...edges, ...right)).toBe(0);
    } finally {
      temp.cleanup();
    }
  });
});

describe('title card in the video', () => {
  const temp = makeTempDir('vf-title-card-');
  const paths: Record<string, string> = {};
  const card: PlanTitleCard = {
    text: { title: 'Rivers', subtitle: 'A short film' },
    font: 'title-font',
    look: { ...DEFAULT_TITLE_LOOK, titleSize: 0.2, dim: 0.5 },
    durationMs: 1000,
    fadeOutMs: 400,
  };
  let plain: RenderPlan;
  let titled: RenderPlan;

  beforeAll(() => {
    paths.narration = makeSineWav(join(temp.dir, 'narration.wav'), 2.5);
    paths['title-font'] = FONT_PATH;
    const base = tinyPlan();
    // Lossless: equal pictures decode to equal frames, so "unchanged after the card" is exact.
    plain = tinyPlan({
      output: { ...base.output, crf: 0 },
      durationMs: 2000,
      assets: {
        narration: asset('audio', 'narration.wav'),
        'title-font': asset('font', 'DejaVuSans-Bold.ttf'),
      },
      scenes: [
        { startMs: 0, durationMs: 1200, visual: { kind: 'color', color: '#305070' } },
        { startMs: 1200, durationMs: 800, visual: { kind: 'color', color: '#604020' } },
      ],
    });
    titled = { ...plain, titleCard: card };
  });
  afterAll(() => temp.cleanup());

  const encode = (plan: RenderPlan, name: string) =>
    runEncode({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan,
      assetPaths: paths,
      outPath: join(temp.dir, name),
      encoder: 'libx264',
    });

  it('draws the title over the first second, fading out, and leaves every later frame as it was', async () => {
    const withCard = await encode(titled, 'titled.mp4');
    const without = await encode(plain, 'plain.mp4');
    expect(withCard.facts.video?.frames).toBe(50);
    // Same length, same sound: the card is drawn over the opening, timing untouched.
    expect(withCard.facts.audio?.durationMs).toBe(without.facts.audio?.durationMs);
    const { width, height } = titled.output;
    const cardFrame = lumaFrame(withCard.outPath, 5);
    const plainFrame = lumaFrame(without.outPath, 5);
    // White letters on the dimmed picture: light pixels where the plain frame (luma ~75) has none.
    expect(lightPixels(plainFrame, width, height)).toBe(0);
    expect(lightPixels(cardFrame, width, height)).toBeGreaterThan(400);
    // The dim: the frame is darker outside the letters too (its top rows hold no text).
    const topRows = (luma: Buffer) => meanLuma(luma.subarray(0, width * 10));
    expect(topRows(cardFrame)).toBeLessThan(topRows(plainFrame) - 15);
    // Mid-fade (frames 15..24 fade): fewer light pixels than before, more than none.
    const fading = lightPixels(lumaFrame(withCard.outPath, 22), width, height);
    expect(fading).toBeLessThan(lightPixels(cardFrame, width, height));
    const a = frameHashes(withCard.outPath);
    const b = frameHashes(without.outPath);
    expect(a.slice(0, 25).every((hash, i) => hash !== b[i])).toBe(true);
    // From frame 25 (1000 ms at 25 fps) on: exactly the frames without a card.
    expect(a.slice(25)).toEqual(b.slice(25));
  });

  it('a segment reads the title font only when it draws some of the card', () => {
    const segment = (startFrame: number): RenderPlan => ({
      ...titled,
      segment: { index: 1, count: 2, startFrame, frameCount: 10 },
    });
    expect(assetsUsedBy(segment(20)).has('title-font')).toBe(true);
    expect(assetsUsedBy(segment(25)).has('title-font')).toBe(false);
    expect(assetsUsedBy(plain).has('title-font')).toBe(false);
  });

  it('a segmented encode joined equals the whole, cut before, inside and after the card, under captions', async () => {
    // Captions changing every 0.3 s, drawn every frame (command.ts): a segment drawing the card or a
    // caption at the wrong frame differs from the whole. (Captions drawn once per state: join.test.ts.)
    const every = 0.3;
    const count = Math.ceil(2 / every);
    paths.captions = writeAssCues(
      join(temp.dir, `captions-${every}.ass`),
      Array.from({ length: count }, (_, i) => ({
        startS: i * every,
        endS: (i + 1) * every,
        text: `Cue ${i + 1}`,
      })),
      24,
    );
    paths.font = FONT_PATH;
    const captioned: RenderPlan = {
      ...titled,
      assets: {
        ...titled.assets,
        captions: asset('subtitles', 'captions.ass'),
        font: asset('font', 'DejaVuSans-Bold.ttf'),
      },
      captions: { asset: 'captions', font: 'font', burnIn: true },
    };
    const whole = frameHashes((await encode(captioned, `whole-${every}.mp4`)).outPath);
    const audioPath = await encodeAudioTrack({
      ffmpegPath: FFMPEG,
      plan: captioned,
      assetPaths: paths,
      outPath: join(temp.dir, `audio-${every}.m4a`),
    });
    const starts = [0, 7, 20, 30];
    const parts: string[] = [];
    for (const [index, startFrame] of starts.entries()) {
      const end = starts[index + 1] ?? planFrameCount(captioned);
      const segment: Segment = { index, count: starts.length, startFrame, frameCount: end - startFrame };
      parts.push((await encode({ ...captioned, segment }, `seg-${every}-${index}.mp4`)).outPath);
    }
    const joined = await joinSegments({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan: captioned,
      segmentPaths: parts,
      audioPath,
      outPath: join(temp.dir, `joined-${every}.mp4`),
    });
    expect(frameHashes(joined.outPath)).toEqual(whole);
  });
});

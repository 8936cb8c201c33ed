import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSpan, planFrameCount, transitionWindows } from '../../shared/plan-frames.ts';
import type { RenderPlan, Segment } from '../../shared/render-plan.ts';
import { startOutsideWindows } from '../segments/split-plan.ts';
import { captionDrawing } from './command.ts';
import { runEncode } from './encode-job.ts';
import { isFfmpegError } from './errors.ts';
import { buildJoinCommand, concatList, encodeAudioTrack, joinSegments } from './join.ts';
import { planLoudness } from './loudness.ts';
import {
  asset,
  FFMPEG,
  FFPROBE,
  FONT_PATH,
  makeClip,
  makeImage,
  makeSineWav,
  makeTempDir,
  tinyPlan,
  writeAssCues,
} from './test-fixtures.ts';
import { readVideoFacts } from './verify.ts';

/** Captions that change every 0.3 s: a segment drawing them at the wrong time shows the wrong words. */
function writeCues(path: string, seconds: number): string {
  const cues = [];
  for (let i = 0; i * 0.3 < seconds; i++) {
    cues.push({ startS: i * 0.3, endS: (i + 1) * 0.3, text: `Cue ${i + 1} ${'#'.repeat((i + 1) % 7)}` });
  }
  return writeAssCues(path, cues, 30);
}

/** md5 of every decoded frame, in order: equal lists mean the same pictures, frame for frame. */
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

/** The caption track as SRT text. */
function captionText(path: string): string {
  return execFileSync(FFMPEG, ['-v', 'error', '-i', path, '-map', '0:s:0', '-f', 'srt', '-'], {
    encoding: 'utf8',
  });
}

/** md5 of the decoded audio: equal means the same sound, sample for sample. */
function audioHash(path: string): string {
  return execFileSync(FFMPEG, ['-v', 'error', '-i', path, '-map', '0:a:0', '-f', 'md5', '-'], {
    encoding: 'utf8',
  });
}

describe('segmented encode + join', () => {
  const temp = makeTempDir('vf-join-');
  const paths: Record<string, string> = {};
  let plan: RenderPlan;

  beforeAll(async () => {
    paths.img = makeImage(join(temp.dir, 'img.png'));
    paths.clip = makeClip(join(temp.dir, 'clip.mp4'), 1);
    paths.narration = makeSineWav(join(temp.dir, 'narration.wav'), 4);
    paths.music = makeSineWav(join(temp.dir, 'music.wav'), 1.5, 220);
    paths.captions = writeCues(join(temp.dir, 'captions.ass'), 4.1);
    paths.font = FONT_PATH;
    // Lossless: two encodes of the same pictures decode to identical frames, so any misplaced frame shows.
    const base = tinyPlan();
    plan = tinyPlan({
      output: { ...base.output, crf: 0 },
      durationMs: 4040,
      assets: {
        img: asset('image', 'img.png'),
        clip: asset('video', 'clip.mp4'),
        narration: asset('audio', 'narration.wav'),
        music: asset('audio', 'music.wav'),
        captions: asset('subtitles', 'captions.ass'),
        font: asset('font', 'DejaVuSans-Bold.ttf'),
      },
      scenes: [
        { startMs: 0, durationMs: 1210, visual: { kind: 'image', asset: 'img', motion: 'zoom-in' } },
        { startMs: 1210, durationMs: 790, visual: { kind: 'color', color: '#204060' } },
        { startMs: 2000, durationMs: 1000, visual: { kind: 'clip', asset: 'clip', loop: false } },
        { startMs: 3000, durationMs: 1040, visual: { kind: 'image', asset: 'img', motion: 'pan-left' } },
      ],
      audio: {
        narration: 'narration',
        // Two spans with silence between them, each faded: the bus a script switching music makes.
        music: {
          spans: [
            { asset: 'music', startMs: 300, durationMs: 1500, gainDb: -12 },
            { asset: 'music', startMs: 2500, durationMs: 1540, gainDb: -9 },
          ],
          duckDb: 6,
          attackMs: 20,
          releaseMs: 300,
          fadeInMs: 200,
          fadeOutMs: 300,
        },
      },
      captions: { asset: 'captions', font: 'font', burnIn: true },
    });
    // Normalized like a real plan: the whole encode and the joined one are both verified at -16 LUFS.
    const loudness = await planLoudness(FFMPEG, plan, paths, { targetLufs: -16, truePeakDbtp: -1 });
    if (loudness) plan.audio.loudness = loudness;
  });
  afterAll(() => temp.cleanup());

  const encode = (p: RenderPlan, name: string) =>
    runEncode({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan: p,
      assetPaths: paths,
      outPath: join(temp.dir, name),
      encoder: 'libx264',
    });

  let track: string | undefined;
  const audioTrack = async () => {
    track ??= await encodeAudioTrack({
      ffmpegPath: FFMPEG,
      plan,
      assetPaths: paths,
      outPath: join(temp.dir, 'audio.m4a'),
    });
    return track;
  };

  /** Segments that start at these frames (the video has 101: scenes start at 0, 30, 50 and 75). */
  const segmentsOf = (starts: number[], of: RenderPlan = plan): RenderPlan[] =>
    starts.map((startFrame, index) => {
      const end = starts[index + 1] ?? planFrameCount(of);
      const segment: Segment = { index, count: starts.length, startFrame, frameCount: end - startFrame };
      return { ...of, segment };
    });

  it('renders each segment video-only with exactly its frames', async () => {
    const [first, second] = segmentsOf([0, 50]) as [RenderPlan, RenderPlan];
    expect(encodeSpan(second)).toEqual({
      startFrame: 50,
      frameCount: 51,
      parts: [
        { scene: 2, offset: 0, frames: 25 },
        { scene: 3, offset: 0, frames: 26 },
      ],
    });
    const result = await encode(second, 'second.mp4');
    expect(result.facts.audio).toBeNull();
    expect(result.facts.video?.frames).toBe(51);
    expect(result.args).toContain('-an');
    expect(result.args.join(' ')).toContain('setpts=PTS+50');
    // Only what the segment shows: no narration, no music, no still it does not use twice.
    expect(result.args).not.toContain(paths.narration);
    expect(result.args).not.toContain(paths.music);
    expect((await encode(first, 'first.mp4')).facts.video?.frames).toBe(50);
  });

  it('joins segments into exactly the video a whole encode makes: same frames, same length, in sync', async () => {
    const whole = await encode(plan, 'whole.mp4');
    const wholeFrames = frameHashes(whole.outPath);
    expect(wholeFrames).toHaveLength(planFrameCount(plan));
    // At scene boundaries, and inside scenes: a zoom (17), a still (40), a clip (62), a pan (88).
    for (const cuts of [
      [0, 50],
      [0, 30, 75],
      [0, 17, 40, 62, 88],
    ]) {
      const segments = segmentsOf(cuts);
      const parts = [];
      for (const s of segments)
        parts.push((await encode(s, `seg-${cuts.length}-${s.segment?.index}.mp4`)).outPath);
      const joined = await joinSegments({
        ffmpegPath: FFMPEG,
        ffprobePath: FFPROBE,
        plan,
        segmentPaths: parts,
        audioPath: await audioTrack(),
        outPath: join(temp.dir, `joined-${cuts.length}.mp4`),
      });
      expect(frameHashes(joined.outPath)).toEqual(wholeFrames);
      expect(audioHash(joined.outPath)).toBe(audioHash(whole.outPath));
      const facts = joined.facts;
      const frame = 1000 / plan.output.fps;
      expect(facts.video?.frames).toBe(whole.facts.video?.frames);
      expect(
        Math.abs((facts.video?.durationMs ?? 0) - (whole.facts.video?.durationMs ?? 0)),
      ).toBeLessThanOrEqual(frame);
      expect(Math.abs((facts.audio?.durationMs ?? 0) - (facts.video?.durationMs ?? 0))).toBeLessThanOrEqual(
        frame,
      );
      expect(
        Math.abs((facts.audio?.durationMs ?? 0) - (whole.facts.audio?.durationMs ?? 0)),
      ).toBeLessThanOrEqual(1);
    }
  });

  it('joins segments of a video with crossfades (into and out of a clip) into exactly the whole encode', async () => {
    const faded: RenderPlan = { ...plan, transition: { kind: 'crossfade', durationMs: 400 } };
    // 10 frames each at 25 fps; the colour scene (20 frames) is half transition, the clip blends in and out.
    const windows = transitionWindows(faded);
    expect(windows).toEqual([
      { start: 30, end: 40 },
      { start: 50, end: 60 },
      { start: 75, end: 85 },
    ]);
    const whole = await encode(faded, 'faded-whole.mp4');
    const wholeFrames = frameHashes(whole.outPath);
    expect(wholeFrames).toHaveLength(planFrameCount(faded));
    /*
     * Asked-for cuts at boundaries (30, 50, 75: the first frame of each window), inside windows (35,
     * 55, 80) and clear of them (17, 62, 88); the split planner's rule moves those in windows out.
     */
    for (const asked of [
      [0, 30, 75],
      [0, 35, 55, 80],
      [0, 17, 50, 62, 88],
    ]) {
      const cuts = asked.map((frame) => startOutsideWindows(windows, frame));
      const parts = [];
      for (const s of segmentsOf(cuts, faded))
        parts.push((await encode(s, `faded-seg-${cuts.join('-')}-${s.segment?.index}.mp4`)).outPath);
      const joined = await joinSegments({
        ffmpegPath: FFMPEG,
        ffprobePath: FFPROBE,
        plan: faded,
        segmentPaths: parts,
        audioPath: await audioTrack(),
        outPath: join(temp.dir, `faded-joined-${cuts.join('-')}.mp4`),
      });
      // The frames that differ: none (a segment starting in a window shows the 10 frames of that window).
      const got = frameHashes(joined.outPath);
      expect(got.flatMap((hash, i) => (hash === wholeFrames[i] ? [] : [i]))).toEqual([]);
      expect(got).toEqual(wholeFrames);
      for (const cut of cuts) expect(windows.some((w) => cut >= w.start && cut < w.end)).toBe(false);
    }
  });

  it('muxes captions that are not burned in as a track, the same track a whole encode has', async () => {
    const soft: RenderPlan = { ...plan, captions: { asset: 'captions', burnIn: false } };
    const whole = await encode(soft, 'soft-whole.mp4');
    expect(whole.facts.subtitles).toBe('mov_text');
    const parts = [];
    for (const segment of segmentsOf([0, 62], soft)) {
      parts.push((await encode(segment, `soft-seg-${segment.segment?.index}.mp4`)).outPath);
    }
    const joined = await joinSegments({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan: soft,
      segmentPaths: parts,
      audioPath: await audioTrack(),
      captionsPath: paths.captions as string,
      outPath: join(temp.dir, 'soft-joined.mp4'),
    });
    expect(joined.facts.subtitles).toBe('mov_text');
    expect(captionText(joined.outPath)).toBe(captionText(whole.outPath));
    expect(captionText(joined.outPath)).toContain('Cue 14');
    expect(frameHashes(joined.outPath)).toEqual(frameHashes(whole.outPath));
  });

  it('refuses segments that cannot be joined, and leaves nothing behind', async () => {
    const [first] = segmentsOf([0, 50]) as [RenderPlan];
    const part = (await encode(first, 'only-first.mp4')).outPath;
    const out = join(temp.dir, 'short.mp4');
    const error = await joinSegments({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan,
      segmentPaths: [part],
      audioPath: await audioTrack(),
      outPath: out,
    }).catch((e: unknown) => e);
    expect(isFfmpegError(error) && error.kind).toBe('verify-failed');
    expect(String(error)).toContain('the segments have 50 frames together, the video needs 101');
    const whole = join(temp.dir, 'whole-for-refusal.mp4');
    await encode(plan, 'whole-for-refusal.mp4');
    const withAudio = await joinSegments({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan,
      segmentPaths: [part, whole],
      audioPath: await audioTrack(),
      outPath: out,
    }).catch((e: unknown) => e);
    expect(String(withAudio)).toContain('segment 2 cannot be joined');
    await expect(readVideoFacts(FFPROBE, FFMPEG, out)).rejects.toThrow(/does not exist/);
  });

  // Found by an output review: at 30 fps the frame after each join came 0.33 ms late (the demuxer took
  // each part's length from its container, in whole milliseconds): no longer constant-rate.
  it('joins parts at 30 fps into a video whose every frame lasts the same', async () => {
    const base = tinyPlan();
    const thirty = tinyPlan({
      output: { ...base.output, fps: 30 },
      durationMs: 2000,
      assets: { narration: asset('audio', 'narration.wav') },
      scenes: [{ startMs: 0, durationMs: 2000, visual: { kind: 'color', color: '#204060' } }],
    });
    const audio = await encodeAudioTrack({
      ffmpegPath: FFMPEG,
      plan: thirty,
      assetPaths: paths,
      outPath: join(temp.dir, 'audio-30.m4a'),
    });
    const parts = [];
    for (const s of segmentsOf([0, 31], thirty))
      parts.push((await encode(s, `seg-30-${s.segment?.index}.mp4`)).outPath);
    const joined = await joinSegments({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan: thirty,
      segmentPaths: parts,
      audioPath: audio,
      outPath: join(temp.dir, 'joined-30.mp4'),
    });
    const pts = execFileSync(FFPROBE, [
      ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts', '-of', 'csv=p=0'],
      joined.outPath,
    ])
      .toString()
      .trim()
      .split('\n')
      .map(Number)
      .sort((a, b) => a - b);
    expect(pts).toHaveLength(60);
    const steps = new Set(pts.slice(1).map((t, i) => t - (pts[i] as number)));
    expect([...steps]).toHaveLength(1);
  });

  it('builds one copy-only command with a quoted concat list', () => {
    expect(concatList(["/a/it's.mp4", '/b/c.mp4'])).toBe("file '/a/it'\\''s.mp4'\nfile '/b/c.mp4'\n");
    expect(concatList(['/a.mp4', '/b.mp4'], [31 / 30, undefined])).toBe(
      "file '/a.mp4'\nduration 1.033333\nfile '/b.mp4'\n",
    );
    const command = { listPath: '/w/list.txt', audioPath: '/w/a.m4a', outPath: '/w/out.mp4' };
    const args = buildJoinCommand({ ...command, videoCodec: 'h264' }).join(' ');
    expect(args).toContain(
      '-f concat -safe 0 -i /w/list.txt -i /w/a.m4a -map 0:v:0 -map 1:a:0 -c:v copy -c:a copy',
    );
    expect(args).not.toContain('mov_text');
    const soft = buildJoinCommand({ ...command, captionsPath: '/w/c.srt', videoCodec: 'h264' }).join(' ');
    expect(soft).toContain('-i /w/c.srt -map 0:v:0 -map 1:a:0 -c:v copy -c:a copy -map 2:s:0 -c:s mov_text');
    expect(args).not.toContain('hvc1');
    expect(buildJoinCommand({ ...command, videoCodec: 'hevc' })).toContain('hvc1');
  });
});

describe('segments of a video whose captions are drawn once per caption state', () => {
  const temp = makeTempDir('vf-join-once-');
  afterAll(() => temp.cleanup());

  it('join into exactly the whole encode, though each segment shows other captions than the whole', async () => {
    const paths: Record<string, string> = {
      img: makeImage(join(temp.dir, 'img.png')),
      narration: makeSineWav(join(temp.dir, 'narration.wav'), 4),
      // A narrow caption, a wide one, a narrow one: the first segment shows only the first.
      captions: writeAssCues(
        join(temp.dir, 'captions.ass'),
        [
          { startS: 0, endS: 1.3, text: 'First words' },
          { startS: 1.3, endS: 2.6, text: 'A much wider second caption line' },
          { startS: 2.6, endS: 4.1, text: 'End' },
        ],
        30,
      ),
      font: FONT_PATH,
    };
    const base = tinyPlan();
    const plan = tinyPlan({
      output: { ...base.output, crf: 0 },
      durationMs: 4040,
      assets: {
        img: asset('image', 'img.png'),
        narration: asset('audio', 'narration.wav'),
        captions: asset('subtitles', 'captions.ass'),
        font: asset('font', 'DejaVuSans-Bold.ttf'),
      },
      scenes: [{ startMs: 0, durationMs: 4040, visual: { kind: 'image', asset: 'img', motion: 'zoom-in' } }],
      audio: { narration: 'narration' },
      captions: { asset: 'captions', font: 'font', burnIn: true },
    });
    const captionsText = readFileSync(paths.captions as string, 'utf8');
    const encode = (p: RenderPlan, name: string) =>
      runEncode({
        ffmpegPath: FFMPEG,
        ffprobePath: FFPROBE,
        plan: p,
        assetPaths: paths,
        outPath: join(temp.dir, name),
        encoder: 'libx264',
      });
    const whole = await encode(plan, 'whole.mp4');
    const wholeFrames = frameHashes(whole.outPath);
    const starts = [0, 25, 60];
    const segments = starts.map((startFrame, index): RenderPlan => {
      const end = starts[index + 1] ?? planFrameCount(plan);
      return { ...plan, segment: { index, count: starts.length, startFrame, frameCount: end - startFrame } };
    });
    // The path under test: every part (and the whole) draws its captions once per state.
    for (const p of [plan, ...segments]) {
      expect(captionDrawing({ plan: p, assetPaths: paths, captionsText })?.kind).toBe('once');
    }
    const parts: string[] = [];
    for (const s of segments) parts.push((await encode(s, `seg-${s.segment?.index}.mp4`)).outPath);
    const joined = await joinSegments({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan,
      segmentPaths: parts,
      audioPath: await encodeAudioTrack({
        ffmpegPath: FFMPEG,
        plan,
        assetPaths: paths,
        outPath: join(temp.dir, 'audio.m4a'),
      }),
      outPath: join(temp.dir, 'joined.mp4'),
    });
    const joinedFrames = frameHashes(joined.outPath);
    const differing = wholeFrames.flatMap((hash, i) => (hash === joinedFrames[i] ? [] : [i]));
    expect(differing).toEqual([]);
    expect(joinedFrames).toHaveLength(wholeFrames.length);
  });
});

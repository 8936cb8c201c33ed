import { execFileSync, fork } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { isPartialPath } from '../util/atomic-file.ts';
import {
  ENCODE_RUNNER_PATH,
  encodeInChildProcess,
  forkRunner,
  relayEncode,
  runEncode,
} from './encode-client.ts';
import type { EncodeRequest, RunnerOutbound } from './encode-types.ts';
import { isFfmpegError } from './errors.ts';
import type { FfmpegProgress } from './progress.ts';
import {
  asset,
  FFMPEG,
  FFPROBE,
  FONT_PATH,
  makeAss,
  makeImage,
  makeSineWav,
  makeTempDir,
  processesMentioning,
  tinyPlan,
  waitFor,
} from './test-fixtures.ts';
import { verifyVideo } from './verify.ts';

let tmp: { dir: string; cleanup: () => void };
let assetPaths: Record<string, string>;
let outCounter = 0;

beforeAll(() => {
  tmp = makeTempDir('vf-encode-');
  // A caption path with a space, a colon and a quote: it must survive filter escaping.
  const captionDir = join(tmp.dir, "caps: it's here");
  const fontDir = join(tmp.dir, 'fonts');
  mkdirSync(captionDir);
  mkdirSync(fontDir);
  copyFileSync(FONT_PATH, join(fontDir, 'DejaVuSans-Bold.ttf'));
  assetPaths = {
    img: makeImage(join(tmp.dir, 'img.png')),
    narration: makeSineWav(join(tmp.dir, 'narration.wav'), 2),
    subs: makeAss(join(captionDir, 'captions.ass'), 'HELLO WORLD'),
    font: join(fontDir, 'DejaVuSans-Bold.ttf'),
  };
});
afterAll(() => tmp.cleanup());

function captionedPlan(overrides: Partial<RenderPlan> = {}): RenderPlan {
  const base = tinyPlan();
  return tinyPlan({
    assets: {
      ...base.assets,
      subs: asset('subtitles', 'captions.ass'),
      font: asset('font', 'DejaVuSans-Bold.ttf'),
    },
    captions: { asset: 'subs', font: 'font', burnIn: true },
    ...overrides,
  });
}

/**
 * Two minutes of moving picture: ~3 s of work at 320x180, long enough to interrupt reliably.
 * Tests using it stop it within the first second.
 */
function longPlan(): RenderPlan {
  return tinyPlan({
    durationMs: 120_000,
    scenes: [{ startMs: 0, durationMs: 120_000, visual: { kind: 'image', asset: 'img', motion: 'zoom-in' } }],
  });
}

function request(plan: RenderPlan, outDir = tmp.dir): EncodeRequest {
  outCounter += 1;
  return {
    ffmpegPath: FFMPEG,
    ffprobePath: FFPROBE,
    plan,
    assetPaths,
    outPath: join(outDir, `out-${outCounter}.mp4`),
    encoder: 'libx264',
  };
}

function freshDir(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  return dir;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e,
  );

/** One frame as 8-bit grey pixels, row by row. */
function grayFrame(video: string, atSeconds: number): Buffer {
  return execFileSync(FFMPEG, [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-ss', String(atSeconds), '-i', video],
    ...['-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
  ]);
}

function meanDifference(a: Buffer, b: Buffer, fromRow: number, toRow: number, width: number): number {
  let sum = 0;
  for (let i = fromRow * width; i < toRow * width; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / ((toRow - fromRow) * width);
}

describe('encodeInChildProcess', () => {
  it('encodes in a separate process, verifies, and reports progress', async () => {
    const outDir = freshDir('child');
    const req = request(captionedPlan(), outDir);
    const events: FfmpegProgress[] = [];
    const result = await encodeInChildProcess(req, { onProgress: (p) => events.push(p) });

    expect(result.outPath).toBe(req.outPath);
    expect(result.encoder).toBe('libx264');
    expect(result.args.at(-1)).toBe(req.outPath);
    expect(result.facts.video).toMatchObject({ codec: 'h264', width: 320, height: 180 });
    const facts = await verifyVideo(FFPROBE, FFMPEG, req.outPath, {
      width: 320,
      height: 180,
      durationMs: 2000,
      toleranceMs: 50,
      audio: true,
    });
    expect(facts.audio?.codec).toBe('aac');
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)?.fraction).toBe(1);
    // The time left crosses the process boundary with the fraction (0 once ffmpeg says "end").
    expect(events.at(-1)?.etaMs).toBe(0);
    expect(readdirSync(outDir)).toEqual([`out-${outCounter}.mp4`]);
  });

  it('burns the captions into the picture', async () => {
    const withCaptions = await runEncode(request(captionedPlan()));
    const plain = captionedPlan();
    const without = await runEncode(request({ ...plain, captions: { asset: 'subs', burnIn: false } }));
    const a = grayFrame(withCaptions.outPath, 1.5);
    const b = grayFrame(without.outPath, 1.5);
    expect(a.length).toBe(320 * 180);
    // The cue sits at the bottom: the lower third changes a lot, the top third hardly at all.
    const bottom = meanDifference(a, b, 120, 180, 320);
    const top = meanDifference(a, b, 0, 60, 320);
    expect(bottom).toBeGreaterThan(10);
    expect(top).toBeLessThan(bottom / 5);
  });

  it('cancels mid-encode and leaves no partial file', async () => {
    const outDir = freshDir('cancel');
    const controller = new AbortController();
    let sawPartial = false;
    const run = encodeInChildProcess(request(longPlan(), outDir), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.outTimeMs <= 0 || controller.signal.aborted) return;
        sawPartial = readdirSync(outDir).some(isPartialPath);
        controller.abort();
      },
    });
    const error = await failure(run);
    expect(isFfmpegError(error, 'cancelled')).toBe(true);
    expect(sawPartial).toBe(true);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('relays typed errors from the runner', async () => {
    const invalid = await failure(encodeInChildProcess(request({ ...tinyPlan(), durationMs: 5 })));
    expect(isFfmpegError(invalid, 'invalid-plan')).toBe(true);
    expect(String(invalid)).toContain('scene durations must add up to durationMs');

    const missing = await failure(
      encodeInChildProcess({
        ...request(tinyPlan()),
        assetPaths: { ...assetPaths, img: join(tmp.dir, 'gone.png') },
      }),
    );
    expect(isFfmpegError(missing, 'not-found')).toBe(true);
    expect(String(missing)).toContain('asset "img" (img.png) is missing');
  });

  it('rejects clearly when the runner process crashes', async () => {
    const crashing = join(tmp.dir, 'crashing-runner.mjs');
    writeFileSync(
      crashing,
      "process.on('message', () => { process.stderr.write('boom: runner exploded\\n'); process.exit(3); });\n",
    );
    const error = await failure(encodeInChildProcess(request(tinyPlan()), { runnerPath: crashing }));
    expect(isFfmpegError(error, 'runner-crashed')).toBe(true);
    expect(String(error)).toContain('exited with code 3');
    expect(String(error)).toContain('boom: runner exploded');
  });

  it('rejects when the runner is killed, and ffmpeg does not outlive it', async () => {
    const outDir = freshDir('killed');
    const channel = forkRunner(ENCODE_RUNNER_PATH);
    const run = relayEncode(channel, request(longPlan(), outDir), {
      onProgress: () => {
        if (channel.pid) process.kill(channel.pid, 'SIGKILL');
      },
    });
    const error = await failure(run);
    expect(isFfmpegError(error, 'runner-crashed')).toBe(true);
    expect(String(error)).toContain('killed by SIGKILL');
    // ffmpeg ignores SIGPIPE: only the client's clean-up stops it (within moments, where the
    // encode alone would run on for seconds) and removes its partial file.
    await waitFor(() => processesMentioning(outDir).length === 0, 500);
    expect(readdirSync(outDir)).toEqual([]);
  });
});

describe('media that are not what they say', () => {
  // Found by attacking a render: ffmpeg opens a file by its content, and an HLS playlist reads every
  // media file it names. A hostile script (or a farm member's plan) saves one as a picture, a clip or
  // a voice track to get another job's video into its own.
  it('an HLS playlist given as a picture, a clip or the narration is not opened: the encode fails', async () => {
    const dir = freshDir('playlists');
    const victim = makeImage(join(dir, 'someone-elses.png'), 320, 180);
    const victimClip = join(dir, 'someone-elses.mp4');
    execFileSync(FFMPEG, [
      ...['-v', 'error', '-y', '-loop', '1', '-t', '2', '-i', victim],
      ...['-pix_fmt', 'yuv420p', '-c:v', 'libx264', victimClip],
    ]);
    const playlist = join(dir, 'playlist');
    writeFileSync(
      playlist,
      `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${victimClip}\n#EXT-X-ENDLIST\n`,
    );
    const cases: [string, RenderPlan, Record<string, string>][] = [
      ['picture', tinyPlan(), { ...assetPaths, img: playlist }],
      [
        'clip',
        tinyPlan({
          assets: { ...tinyPlan().assets, clip: asset('video', 'c.mp4') },
          scenes: [{ startMs: 0, durationMs: 2000, visual: { kind: 'clip', asset: 'clip', loop: true } }],
        }),
        { ...assetPaths, clip: playlist },
      ],
      ['narration', tinyPlan(), { ...assetPaths, narration: playlist }],
    ];
    for (const [what, plan, paths] of cases) {
      const error = await failure(runEncode({ ...request(plan, dir), assetPaths: paths }));
      expect(isFfmpegError(error), what).toBe(true);
      expect(String(error), what).toContain('not on whitelist');
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('out-'))).toEqual([]);
  });
});

describe('encode runner process', () => {
  it('stops ffmpeg, removes the partial file and exits when its parent goes away', async () => {
    const outDir = freshDir('orphan');
    const child = fork(ENCODE_RUNNER_PATH, [], {
      execArgv: [],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const firstProgress = new Promise<void>((resolve) =>
      child.on('message', (m: RunnerOutbound) => {
        if (m.type === 'progress') resolve();
      }),
    );
    child.send({ type: 'encode', request: request(longPlan(), outDir) });
    await firstProgress;
    expect(processesMentioning(outDir).length).toBeGreaterThan(0);

    child.disconnect();
    expect(await exited).toBe(0);
    expect(processesMentioning(outDir)).toEqual([]);
    expect(existsSync(outDir) && readdirSync(outDir)).toEqual([]);
  });
});

import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressRate } from '../../shared/progress-rate.ts';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { runEncode } from '../ffmpeg/encode-job.ts';
import { FFMPEG, FFPROBE, makeSineWav, makeTempDir, tinyPlan } from '../ffmpeg/test-fixtures.ts';
import { sha256File } from '../util/hash.ts';
import { type EncodedSegment, encodeSegmented, segmentProgress } from './segmented-encode.ts';
import { splitPlan } from './split-plan.ts';

/** 30 s of one colour scene at the fixture's rate, split in three 10 s parts. */
function threeParts(): RenderPlan[] {
  const plan = tinyPlan({
    durationMs: 30_000,
    scenes: [{ startMs: 0, durationMs: 30_000, visual: { kind: 'color', color: '#102030' } }],
  });
  const parts = splitPlan(plan, 3, { minSegmentMs: 1_000 });
  expect(parts).toHaveLength(3);
  return parts;
}

describe('segmentProgress', () => {
  it('adds the parts up into the video: frames done, fps and speed summed, the slowest part’s time left', () => {
    const seen: { fraction: number; rate?: ProgressRate }[] = [];
    const progress = segmentProgress(threeParts(), 'slowest', (fraction, rate) =>
      seen.push(rate ? { fraction, rate } : { fraction }),
    );
    progress(0, 0.5, { fps: 40, speed: 1.6, etaMs: 3_000 });
    progress(1, 0.25, { fps: 30, speed: 1.2, etaMs: 6_000 });
    progress(2, 0.75, { fps: 50, speed: 2, etaMs: 1_000 });
    expect(seen.at(-1)?.fraction).toBeCloseTo(0.5);
    expect(seen.at(-1)?.rate).toEqual({ fps: 120, speed: 4.8, etaMs: 6_000 });
    // The slowest part is back: the next slowest sets the time left, and its speed no longer counts.
    progress(1, 1);
    expect(seen.at(-1)?.fraction).toBeCloseTo(0.75);
    expect(seen.at(-1)?.rate).toEqual({ fps: 90, speed: 3.6, etaMs: 3_000 });
  });

  it('never goes back, and ignores late figures of a part that is back or of no part', () => {
    const seen: number[] = [];
    const progress = segmentProgress(threeParts(), 'pooled', (fraction) => seen.push(fraction));
    progress(0, 0.6);
    progress(0, 0.3, { speed: 1 });
    progress(0, 1);
    progress(0, 0.2, { speed: 9 });
    progress(7, 0.5);
    expect(seen.map((f) => Math.round(f * 100))).toEqual([20, 20, 33]);
  });

  it('times a farm video by the video left over the speeds at work (a part may wait for a worker)', () => {
    let last: ProgressRate | undefined;
    const progress = segmentProgress(threeParts(), 'pooled', (_fraction, rate) => {
      last = rate;
    });
    progress(0, 0.5, { fps: 50, speed: 2, etaMs: 2_500 });
    // 25 s of video left (5 + two waiting parts of 10) at 2×.
    expect(last).toEqual({ fps: 50, speed: 2, etaMs: 12_500 });
  });
});

// Found by attacking segmented encodes: a part whose bytes changed after its encode, its size and its
// container kept, was joined with the facts its encode had verified, passed the verify, and was
// reused from then on as the finished video (with 60 frames that did not decode).
describe('encodeSegmented', () => {
  const temp = makeTempDir('vf-segmented-');
  afterAll(() => temp.cleanup());
  const plan = tinyPlan({
    durationMs: 2000,
    assets: { narration: tinyPlan().assets.narration as never },
    scenes: [{ startMs: 0, durationMs: 2000, visual: { kind: 'color', color: '#204060' } }],
  });
  const assetPaths = { narration: makeSineWav(join(temp.dir, 'narration.wav'), 2) };
  const ffmpeg = { ffmpegPath: FFMPEG, ffprobePath: FFPROBE };

  /** Encodes the parts as the encode step does (checksum once written), then lets `meddle` at them. */
  const encode = (workDir: string, meddle: (paths: string[]) => Promise<void>, onUnusable = async () => {}) =>
    encodeSegmented({
      onUnusable,
      plan,
      segments: splitPlan(plan, 2, { minSegmentMs: 500 }),
      ffmpeg: { ...ffmpeg, source: 'path' },
      assetPaths,
      workDir,
      signal: new AbortController().signal,
      eta: 'slowest',
      encodeSegments: async () => {
        const parts: EncodedSegment[] = [];
        for (const [index, part] of splitPlan(plan, 2, { minSegmentMs: 500 }).entries()) {
          const outPath = join(workDir, `part-${index + 1}.mp4`);
          const done = await runEncode({ ...ffmpeg, plan: part, assetPaths, outPath, encoder: 'libx264' });
          parts.push({
            path: outPath,
            encoder: 'libx264',
            facts: done.facts,
            sha256: (await sha256File(outPath)).sha256,
          });
        }
        await meddle(parts.map((p) => p.path));
        return parts;
      },
    });

  it('joins parts that hold the bytes they were encoded with', async () => {
    const joined = await encode(join(temp.dir, 'clean'), async () => undefined);
    expect(joined.facts.durationMs).toBeGreaterThan(1900);
  });

  it('refuses a part changed on disk after its encode, its size kept', async () => {
    const meddle = async ([, second]: string[]) => {
      const handle = await open(second as string, 'r+');
      const { size } = await handle.stat();
      await handle.write(Buffer.alloc(200, 0x5a), 0, 200, Math.floor(size / 2));
      await handle.close();
    };
    let dropped = 0;
    const drop = async () => {
      dropped++;
    };
    await expect(encode(join(temp.dir, 'changed'), meddle, drop)).rejects.toThrow(
      'part 2 of the video changed on disk after it was encoded; encoding again',
    );
    // A farm's segments are dropped, so the next attempt does not get the same bytes.
    expect(dropped).toBe(1);
  });
});

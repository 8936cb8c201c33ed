import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFrameCount, transitionFrames, transitionWindows } from '../../shared/plan-frames.ts';
import type { RenderPlan } from '../../shared/render-plan.ts';
import type { Transition } from '../../shared/transition.ts';
import { runEncode } from './encode-job.ts';
import { FFMPEG, FFPROBE, makeSineWav, makeTempDir, tinyPlan } from './test-fixtures.ts';

const RED = [220, 30, 30] as const;
const BLUE = [30, 60, 220] as const;
const hex = (rgb: readonly number[]) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;

/** The centre pixel (RGB) of every decoded frame, in order. */
function centrePixels(path: string, width: number, height: number): number[][] {
  const raw = execFileSync(
    FFMPEG,
    ['-v', 'error', '-i', path, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const frameBytes = width * height * 3;
  const centre = ((height / 2) * width + width / 2) * 3;
  const pixels: number[][] = [];
  for (let at = 0; at + frameBytes <= raw.length; at += frameBytes) {
    pixels.push([raw[at + centre], raw[at + centre + 1], raw[at + centre + 2]] as number[]);
  }
  return pixels;
}

const near = (pixel: number[], rgb: readonly number[], tolerance: number) =>
  pixel.every((value, i) => Math.abs(value - (rgb[i] as number)) <= tolerance);

describe('transitions between scenes (real encodes, 320x180 at 20 fps)', () => {
  const temp = makeTempDir('vf-transition-');
  let narration: string;
  beforeAll(() => {
    narration = makeSineWav(join(temp.dir, 'narration.wav'), 2);
  });
  afterAll(() => temp.cleanup());

  /** Red for 1 s, then blue for 1 s: 40 frames, the boundary at frame 20. */
  const planWith = (transition: Transition): RenderPlan => {
    const base = tinyPlan();
    return tinyPlan({
      output: { ...base.output, fps: 20, crf: 0 },
      assets: { narration: base.assets.narration as RenderPlan['assets'][string] },
      scenes: [
        { startMs: 0, durationMs: 1000, visual: { kind: 'color', color: hex(RED) } },
        { startMs: 1000, durationMs: 1000, visual: { kind: 'color', color: hex(BLUE) } },
      ],
      ...(transition.kind === 'cut' ? {} : { transition }),
    });
  };
  const render = async (transition: Transition, name: string) => {
    const plan = planWith(transition);
    const result = await runEncode({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      plan,
      assetPaths: { narration },
      outPath: join(temp.dir, name),
      encoder: 'libx264',
    });
    return { plan, result, pixels: centrePixels(result.outPath, 320, 180) };
  };

  it('a crossfade blends the two pictures inside its window, and keeps the frame count', async () => {
    const { plan, result, pixels } = await render({ kind: 'crossfade', durationMs: 400 }, 'crossfade.mp4');
    expect(transitionWindows(plan)).toEqual([{ start: 20, end: 28 }]);
    expect(result.facts.video?.frames).toBe(planFrameCount(plan));
    expect(pixels).toHaveLength(40);
    // Before the window red, after it blue: the timeline does not move.
    expect(near(pixels[19] as number[], RED, 12)).toBe(true);
    expect(near(pixels[28] as number[], BLUE, 12)).toBe(true);
    // The window's middle (frame 24, half-way through 8 frames) is about an even mix of the two.
    const middle = pixels[24] as number[];
    const mix = RED.map((r, i) => (r + (BLUE[i] as number)) / 2);
    expect(near(middle, mix, 20)).toBe(true);
    // Every frame inside moves from red towards blue: red falls, blue rises.
    for (let f = 21; f < 28; f++) {
      expect((pixels[f] as number[])[0]).toBeLessThan((pixels[f - 1] as number[])[0] as number);
      expect((pixels[f] as number[])[2]).toBeGreaterThan((pixels[f - 1] as number[])[2] as number);
    }
  });

  it('a fade goes through black', async () => {
    const { pixels } = await render({ kind: 'fade', durationMs: 400 }, 'fade.mp4');
    expect(pixels).toHaveLength(40);
    const sum = (pixel: number[]) => pixel.reduce((a, b) => a + b, 0);
    const window = pixels.slice(21, 28);
    // Darker than either picture all through the window, and black near its middle.
    for (const pixel of window) expect(sum(pixel)).toBeLessThan(Math.min(sum([...RED]), sum([...BLUE])));
    expect(Math.min(...window.map((pixel) => Math.max(...pixel)))).toBeLessThan(16);
    expect(near(pixels[19] as number[], RED, 12)).toBe(true);
    expect(near(pixels[28] as number[], BLUE, 12)).toBe(true);
  });

  it('a cut shows no blended frame', async () => {
    const { pixels } = await render({ kind: 'cut' }, 'cut.mp4');
    expect(pixels).toHaveLength(40);
    pixels.forEach((pixel, f) => {
      expect(near(pixel, f < 20 ? RED : BLUE, 12)).toBe(true);
    });
  });

  it('shortens a transition longer than half of a scene at that boundary', () => {
    const plan = planWith({ kind: 'crossfade', durationMs: 3000 });
    // 20 frames a scene: at most 10 of them blend.
    expect(transitionFrames(plan)).toEqual([0, 10]);
  });
});

import { describe, expect, it } from 'vitest';
import { even, MOTION_ZOOM_EXTRA, moveProgress, zoomAt } from './motion-geometry.ts';
import { planPan } from './motion-pan.ts';
import { latticeFit, planZoom, zoomCommands, zoomKeyStep } from './motion-zoom.ts';

describe('zoom keyframes', () => {
  it('draws every zoom of the move within 0.15 px of its place in the corners, for common frame sizes', () => {
    for (const [width, height] of [
      [1920, 1080],
      [1080, 1920],
      [1280, 720],
      [3840, 2160],
      [640, 360],
    ] as const) {
      const still = { width: even(1.16 * width), height: even(1.16 * height) };
      for (let i = 0; i <= 2000; i++) {
        const zoom = 1 + (MOTION_ZOOM_EXTRA * i) / 2000;
        for (const [out, stillSide] of [
          [width, still.width],
          [height, still.height],
        ] as const) {
          const sigma = stillSide / (out * zoom);
          const fit = latticeFit(stillSide + 2 * 96, out, sigma);
          // Both crops start on even pixels (4:2:0) and are centred.
          expect((stillSide + 2 * 96 - fit.src) % 4).toBe(0);
          expect((fit.dst - out) % 4).toBe(0);
          expect(fit.dst).toBeGreaterThanOrEqual(out);
          expect(((out / 2) * fit.error) / sigma).toBeLessThan(0.15);
        }
      }
    }
  });

  it('spaces keyframes so the corners move at most 1.5 px between two, once a second at least', () => {
    const size = { width: 1920, height: 1080 };
    // A 63 s video's scenes of ~500 frames: the corners move 0.26 px a frame.
    expect(zoomKeyStep(size, 500)).toBe(5);
    expect(zoomKeyStep(size, 60)).toBe(1);
    expect(zoomKeyStep(size, 100_000)).toBe(30);
  });

  it('puts a segment cut inside a scene on the same keyframes as the whole scene', () => {
    const size = { width: 1280, height: 720 };
    const whole = planZoom('zoom-in', size, { total: 400, offset: 0, frames: 400 });
    const part = planZoom('zoom-in', size, { total: 400, offset: 157, frames: 100 });
    expect(part.keyStep).toBe(whole.keyStep);
    const first = part.firstKey - whole.firstKey;
    expect(part.keyframes).toEqual(whole.keyframes.slice(first, first + part.keyframes.length));
    // The part's frames start trimStart frames after its first keyframe, and end before its last.
    expect(part.firstKey * part.keyStep + part.trimStart).toBe(157);
    expect((part.firstKey + part.keyframes.length - 1) * part.keyStep).toBeGreaterThan(157 + 100 - 1);
  });

  it('writes one sendcmd interval per keyframe, resizing both crops and the scaler', () => {
    const size = { width: 640, height: 360 };
    const plan = planZoom('zoom-out', size, { total: 30, offset: 0, frames: 30 });
    const lines = zoomCommands(plan, size, 30, 'm0').trim().split('\n');
    expect(lines).toHaveLength(plan.keyframes.length);
    expect(lines[0]).toMatch(
      /^0\.000000-0\.016667 \[enter\] crop@m0a w \d+, crop@m0a h \d+, scale@m0b w \d+, scale@m0b h \d+, crop@m0c x \d+, crop@m0c y \d+;$/,
    );
    expect(lines[1]?.startsWith('0.016667-0.050000 [enter]')).toBe(true);
  });
});

describe('pan phases', () => {
  it('slides a frame-sized window across a still 1.12x the frame, keyframes every half pixel', () => {
    const size = { width: 1920, height: 1080 };
    const right = planPan('pan-right', size, { total: 500, offset: 0, frames: 500 });
    expect(right.still.width).toBe(2150);
    expect((right.still.height - size.height) % 4).toBe(0);
    expect(right.start).toBe(0);
    expect(right.speed).toBeCloseTo(230 / 499, 9);
    // Keyframes every 0.5 px from the start, strictly past the last frame.
    expect(right.lastKey).toBe(Math.floor((499 * right.speed) / 0.5) + 1);
    const left = planPan('pan-left', size, { total: 500, offset: 0, frames: 500 });
    expect(left.start).toBe(230);
    expect(left.speed).toBeCloseTo(-right.speed, 12);
  });
});

describe('motion geometry', () => {
  it('zooms from 1 to 1.12 (or back) over a scene', () => {
    expect(zoomAt('zoom-in', moveProgress(0, 100))).toBe(1);
    expect(zoomAt('zoom-in', moveProgress(99, 100))).toBeCloseTo(1.12, 12);
    expect(zoomAt('zoom-out', moveProgress(0, 100))).toBeCloseTo(1.12, 12);
    expect(zoomAt('zoom-out', moveProgress(99, 100))).toBeCloseTo(1, 12);
  });
});

/**
 * Measurements of a rendered picture, for the look test: PSNR between two videos (ffmpeg's psnr filter)
 * and how evenly the picture moves from frame to frame.
 *
 * Motion is measured on a test still strewn with soft bright blobs. Each blob is followed from frame to
 * frame by the centroid of its brightest part; the blobs' moves between two frames are fitted by one
 * zoom-and-shift (least squares over all blobs, which averages away the centroid noise of any single
 * blob), and a frame's step is how far that fitted move carries the frame's corners, where a zoom moves
 * the picture most. A smooth move has steady steps; a renderer that snaps its window to whole pixels
 * moves in jerks, some steps near zero and others a pixel or more.
 * Test-only helper: nothing in the module imports it.
 */
import { execFileSync } from 'node:child_process';
import type { Size } from './motion-geometry.ts';

/** Every frame of a video as 8-bit grey, in order. */
export function decodeGrey(ffmpeg: string, path: string, size: Size): Uint8Array[] {
  const raw = execFileSync(ffmpeg, ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], {
    maxBuffer: 1024 * 1024 * 1024,
  });
  const frameBytes = size.width * size.height;
  const frames: Uint8Array[] = [];
  for (let at = 0; at + frameBytes <= raw.length; at += frameBytes) {
    frames.push(new Uint8Array(raw.buffer, raw.byteOffset + at, frameBytes));
  }
  return frames;
}

/** PSNR (dB, all planes) of every `every`-th frame of `a` against the same frame of `b`. */
export function sampledPsnr(ffmpeg: string, a: string, b: string, every: number): number[] {
  const pick = `select='not(mod(n\\,${every}))'`;
  const graph = `[0:v]${pick}[a];[1:v]${pick}[b];[a][b]psnr=stats_file=-`;
  const out = execFileSync(ffmpeg, ['-v', 'error', '-i', a, '-i', b, '-lavfi', graph, '-f', 'null', '-'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return out
    .split('\n')
    .map((line) => /psnr_avg:(\S+)/.exec(line)?.[1])
    .filter((v): v is string => v !== undefined)
    .map((v) => (v === 'inf' ? Number.POSITIVE_INFINITY : Number(v)));
}

interface Point {
  x: number;
  y: number;
}

/** Centroid of the brightest part of the (2r+1)² window around (x, y); null off the frame. */
function centroid(frame: Uint8Array, size: Size, at: Point, r: number): Point | null {
  const x0 = Math.round(at.x) - r;
  const y0 = Math.round(at.y) - r;
  if (x0 < 0 || y0 < 0 || x0 + 2 * r >= size.width || y0 + 2 * r >= size.height) return null;
  let lo = 255;
  let hi = 0;
  for (let y = y0; y <= y0 + 2 * r; y++) {
    for (let x = x0; x <= x0 + 2 * r; x++) {
      const v = frame[y * size.width + x] as number;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const floor = lo + 0.4 * (hi - lo);
  let sum = 0;
  let sx = 0;
  let sy = 0;
  for (let y = y0; y <= y0 + 2 * r; y++) {
    for (let x = x0; x <= x0 + 2 * r; x++) {
      const w = Math.max(0, (frame[y * size.width + x] as number) - floor);
      sum += w;
      sx += w * x;
      sy += w * y;
    }
  }
  return sum > 0 ? { x: sx / sum, y: sy / sum } : null;
}

/** Bright local peaks of a frame, at least 3r apart, inside `area`. */
function findBlobs(frame: Uint8Array, size: Size, r: number, area: (p: Point) => boolean): Point[] {
  let mean = 0;
  let max = 0;
  for (const v of frame) {
    mean += v;
    max = Math.max(max, v);
  }
  mean /= frame.length;
  const threshold = mean + 0.5 * (max - mean);
  const candidates: { p: Point; v: number }[] = [];
  for (let y = r; y < size.height - r; y++) {
    for (let x = r; x < size.width - r; x++) {
      const v = frame[y * size.width + x] as number;
      if (v > threshold) candidates.push({ p: { x, y }, v });
    }
  }
  candidates.sort((a, b) => b.v - a.v);
  const blobs: Point[] = [];
  for (const { p } of candidates) {
    if (!area(p)) continue;
    if (blobs.every((b) => (b.x - p.x) ** 2 + (b.y - p.y) ** 2 > (3 * r) ** 2)) blobs.push(p);
  }
  return blobs;
}

/** The zoom `a` and shift `t` that best carry points P onto Q (least squares). */
function fitZoomShift(p: Point[], q: Point[]): { a: number; tx: number; ty: number } {
  const n = p.length;
  const mean = (pts: Point[]) => ({
    x: pts.reduce((s, v) => s + v.x, 0) / n,
    y: pts.reduce((s, v) => s + v.y, 0) / n,
  });
  const pm = mean(p);
  const qm = mean(q);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = (p[i] as Point).x - pm.x;
    const dy = (p[i] as Point).y - pm.y;
    num += dx * ((q[i] as Point).x - qm.x) + dy * ((q[i] as Point).y - qm.y);
    den += dx * dx + dy * dy;
  }
  const a = den > 0 ? num / den : 1;
  return { a, tx: qm.x - a * pm.x, ty: qm.y - a * pm.y };
}

export interface MotionSteps {
  /** Corner displacement (pixels) from each frame to the next. */
  steps: number[];
  /** Blobs followed through the whole run. */
  blobs: number;
}

/**
 * Frame-to-frame steps of the picture over `frames` (one continuous move). Blobs are found on the first
 * frame inside `area` and followed with windows of radius r.
 */
export function motionSteps(
  frames: Uint8Array[],
  size: Size,
  r: number,
  area: (p: Point) => boolean,
): MotionSteps {
  const first = frames[0] as Uint8Array;
  let tracked: (Point | null)[] = findBlobs(first, size, r, area).map((p) => centroid(first, size, p, r));
  const steps: number[] = [];
  const corners = [
    { x: 0, y: 0 },
    { x: size.width, y: 0 },
    { x: 0, y: size.height },
    { x: size.width, y: size.height },
  ];
  for (const frame of frames.slice(1)) {
    const next = tracked.map((p) => (p ? centroid(frame, size, p, r) : null));
    const pairs = tracked.flatMap((p, i) => (p && next[i] ? [[p, next[i] as Point] as const] : []));
    const fit = fitZoomShift(
      pairs.map(([p]) => p),
      pairs.map(([, q]) => q),
    );
    steps.push(
      Math.max(...corners.map((c) => Math.hypot((fit.a - 1) * c.x + fit.tx, (fit.a - 1) * c.y + fit.ty))),
    );
    tracked = next;
  }
  return { steps, blobs: tracked.filter(Boolean).length };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

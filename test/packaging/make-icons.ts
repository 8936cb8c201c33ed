/**
 * Draws the app's icons: the menu-bar template (a screen with a play triangle, black on transparent,
 * 18 pt at 1x and 2x) and the app icon (the same glyph, white on an indigo rounded square). macOS
 * treats any image whose name ends in "Template" as a template: it tints it for light and dark bars.
 *
 * Regenerate with: npx node test/packaging/make-icons.ts --write (Node 22: type stripping)
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodePng, type RgbaImage } from './png.ts';

export const BUILD_DIR = resolve(import.meta.dirname, '../../resources/build');
export const TRAY_POINTS = 18;

type Shape = (x: number, y: number) => boolean;

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number): Shape {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

function triangle(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape {
  const side = (px: number, py: number, qx: number, qy: number, x: number, y: number) =>
    (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const d1 = side(ax, ay, bx, by, x, y);
    const d2 = side(bx, by, cx, cy, x, y);
    const d3 = side(cx, cy, ax, ay, x, y);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };
}

/** The glyph in an 18 × 18 box: a screen outline with a play triangle inside. */
function glyph(): Shape {
  // Edges on whole points, so the 1x image stays crisp; strokes 1.5 pt (3 px at 2x).
  const outer = roundedRect(1, 3, 17, 15, 2.5);
  const inner = roundedRect(2.5, 4.5, 15.5, 13.5, 1.25);
  const play = triangle(7, 6, 7, 12, 12, 9);
  return (x, y) => (outer(x, y) && !inner(x, y)) || play(x, y);
}

/** Coverage of a shape over each pixel, by 4 × 4 supersampling. */
function coverage(size: number, box: number, shape: Shape): Float64Array {
  const out = new Float64Array(size * size);
  const scale = box / size;
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          if (shape((px + (sx + 0.5) / n) * scale, (py + (sy + 0.5) / n) * scale)) hits++;
        }
      }
      out[py * size + px] = hits / (n * n);
    }
  }
  return out;
}

export function trayIcon(scale: 1 | 2): RgbaImage {
  const size = TRAY_POINTS * scale;
  const cover = coverage(size, TRAY_POINTS, glyph());
  const pixels = new Uint8Array(size * size * 4);
  for (let i = 0; i < size * size; i++) pixels[i * 4 + 3] = Math.round((cover[i] ?? 0) * 255);
  return { width: size, height: size, pixels };
}

/** 1024 × 1024, the body inset as in Apple's icon grid (824 px square, rounded). */
export function appIcon(): RgbaImage {
  const size = 1024;
  const body = coverage(size, size, roundedRect(100, 100, 924, 924, 185));
  // The glyph fills the middle of the body: its 18-unit box mapped onto 600 px.
  const mark = glyph();
  const glyphCover = coverage(size, size, (x, y) => mark(((x - 212) / 600) * 18, ((y - 212) / 600) * 18));
  const top = [79, 70, 229];
  const bottom = [124, 58, 237];
  const pixels = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    const t = y / (size - 1);
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const g = glyphCover[i] ?? 0;
      for (let c = 0; c < 3; c++) {
        const base = (top[c] ?? 0) * (1 - t) + (bottom[c] ?? 0) * t;
        pixels[i * 4 + c] = Math.round(base * (1 - g) + 255 * g);
      }
      pixels[i * 4 + 3] = Math.round((body[i] ?? 0) * 255);
    }
  }
  return { width: size, height: size, pixels };
}

export function writeIcons(dir = BUILD_DIR): string[] {
  const files: [string, RgbaImage][] = [
    ['trayTemplate.png', trayIcon(1)],
    ['trayTemplate@2x.png', trayIcon(2)],
    ['icon.png', appIcon()],
  ];
  return files.map(([name, image]) => {
    const path = join(dir, name);
    writeFileSync(path, encodePng(image));
    return path;
  });
}

if (process.argv.includes('--write')) {
  for (const path of writeIcons()) process.stdout.write(`${path}\n`);
}

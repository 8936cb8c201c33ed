/**
 * The bundled fonts, read with fontkit (which ships no types: fontkit.d.ts) once per file, and only
 * when first needed: the library costs start-up time most runs never spend.
 */
import { createRequire } from 'node:module';
import type { Font } from 'fontkit';

const requireHere = createRequire(import.meta.url);
const opened = new Map<string, Font>();

/** The font in the file at `path` (the first, for a collection); throws when fontkit cannot read it. */
export function openFont(path: string): Font {
  let font = opened.get(path);
  if (!font) {
    const file = (requireHere('fontkit') as typeof import('fontkit')).openSync(path);
    const first = 'fonts' in file ? file.fonts[0] : file;
    if (!first) throw new Error(`${path} holds no font`);
    font = first;
    opened.set(path, font);
  }
  return font;
}

/**
 * How wide libass draws a line of text in the font at `path`, in units of the ASS font size: libass
 * sizes a font so that its ascent plus descent is the font size (measured: ten "W" at size 100 in
 * DejaVu Sans Bold, 942 px of ink, against 948 px of advance by this).
 */
export function assLineWidth(path: string): (line: string) => number {
  const font = openFont(path);
  const height = font.ascent - font.descent;
  const widths = new Map<string, number>();
  return (line) => {
    let width = widths.get(line);
    if (width === undefined) {
      width = font.layout(line).advanceWidth / height;
      // Wrapping asks of the same lines again and again; a long script's captions ask of many.
      if (widths.size > 10_000) widths.clear();
      widths.set(line, width);
    }
    return width;
  };
}

/**
 * A caption style's look (src/shared/caption-styles.ts) made concrete for one video: sizes scaled from
 * the 1080-pixel reference to the video's shorter side, colours in ASS notation, the lines that fit
 * the width at that size.
 */
import { CAPTION_FONTS, CAPTION_STYLE_LIMITS, type CaptionLook } from '../../shared/caption-styles.ts';
import { CaptionError } from './errors.ts';
import { charFit, type LineFit } from './wrap.ts';

export interface Canvas {
  width: number;
  height: number;
}

export interface ResolvedLook {
  fontFamily: string;
  bold: boolean;
  fontSize: number;
  outline: number;
  shadow: number;
  /** ASS colours, "&HAABBGGRR" (alpha 00 is opaque). */
  primary: string;
  outlineColour: string;
  shadowColour: string;
  /** Override tags that light a word up, e.g. "\1c&H00D4FF&\1a&H00&". */
  highlightTags: string;
  /** ASS numpad alignment: 2 bottom centre, 5 middle centre, 8 top centre. */
  alignment: 2 | 5 | 8;
  marginH: number;
  marginV: number;
  /** What fits one line: as drawn when the font's widths are known, else by an average glyph. */
  lineFit: LineFit;
  maxLines: number;
  textCase: CaptionLook['textCase'];
  wordHighlight: CaptionLook['wordHighlight'];
}

/** A common subtitle guideline: longer lines are hard to read in one glance. */
const MAX_CHARS_PER_LINE = 42;
/**
 * Average advance of a character of lower-case text, in em, per bundled font, with a margin: measured
 * through libass, 0.49 for DejaVu Sans Bold (0.55 is what captions used before styles) and 0.44 for
 * the condensed face; capital letters measured 1.15 times as wide in both.
 */
const AVERAGE_GLYPH_EM: Record<keyof typeof CAPTION_FONTS, number> = {
  'dejavu-sans-bold': 0.55,
  'dejavu-sans-condensed-bold': 0.5,
};
const CAPITALS_WIDER = 1.15;
const ALIGNMENT = { bottom: 2, middle: 5, top: 8 } as const;

/** "#RRGGBB" or "#RRGGBBAA" (AA = opacity) → ASS "&HAABBGGRR" (AA = transparency). */
export function assColour(colour: string): string {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})?$/i.exec(colour);
  if (!match) throw new CaptionError('invalid-style', `"${colour}" is not a colour like "#FFD400"`);
  const [, r, g, b, a] = match as unknown as [string, string, string, string, string | undefined];
  const alpha = 255 - Number.parseInt(a ?? 'FF', 16);
  return `&H${hex(alpha)}${b}${g}${r}`.toUpperCase();
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0');
}

/** Pixel sizes with at most two decimals, as ASS reads them ("3", "0.5"). */
function pixels(value: number): number {
  return Math.round(value * 100) / 100;
}

function checkCanvas(canvas: Canvas): void {
  for (const [name, value] of Object.entries(canvas)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new CaptionError(
        'invalid-style',
        `Caption ${name} must be a positive whole number of pixels, got ${value}`,
      );
    }
  }
}

/**
 * `lineWidth`: how wide libass draws a line in the style's font, in units of the font size
 * (font-file.ts assLineWidth). Without it lines are counted in characters of an average width, and a
 * line of capitals or "W" left the frame.
 */
export function resolveLook(
  look: CaptionLook,
  canvas: Canvas,
  lineWidth?: (line: string) => number,
): ResolvedLook {
  checkCanvas(canvas);
  const font = CAPTION_FONTS[look.font];
  if (!font) throw new CaptionError('invalid-style', `"${look.font}" is not a bundled caption font`);
  const scale = Math.min(canvas.width, canvas.height) / CAPTION_STYLE_LIMITS.referenceShorterSide;
  const fontSize = Math.max(1, Math.round(look.size * scale));
  const marginH = Math.round(canvas.width * 0.05);
  const glyphEm = AVERAGE_GLYPH_EM[look.font] * (look.textCase === 'upper' ? CAPITALS_WIDER : 1);
  const fitting = Math.floor((canvas.width - 2 * marginH) / (fontSize * glyphEm));
  const outline = pixels(look.outline * scale);
  // The outline is drawn outside each glyph, at both ends of a line.
  const room = canvas.width - 2 * marginH - 2 * outline;
  const lineFit: LineFit = lineWidth
    ? {
        // Measured lines, and never longer than the guideline, as a share of what may be drawn.
        width: (line) => Math.max((lineWidth(line) * fontSize) / room, line.length / MAX_CHARS_PER_LINE),
        max: 1,
      }
    : charFit(Math.max(8, Math.min(MAX_CHARS_PER_LINE, fitting)));
  const highlight = assColour(look.highlightColour);
  return {
    fontFamily: font.family,
    bold: font.bold,
    fontSize,
    outline,
    shadow: pixels(look.shadow * scale),
    primary: assColour(look.textColour),
    outlineColour: assColour(look.outlineColour),
    shadowColour: assColour(look.shadowColour),
    // \1c takes the colour without its alpha, \1a the alpha alone.
    highlightTags: `\\1c&H${highlight.slice(4)}&\\1a&H${highlight.slice(2, 4)}&`,
    alignment: ALIGNMENT[look.position],
    marginH,
    marginV: Math.round((canvas.height * look.margin) / 100),
    lineFit,
    maxLines: look.maxLines,
    textCase: look.textCase,
    wordHighlight: look.wordHighlight,
  };
}

/** The text as the style shows it. */
export function applyCase(text: string, textCase: CaptionLook['textCase']): string {
  if (textCase === 'upper') return text.toUpperCase();
  if (textCase === 'lower') return text.toLowerCase();
  return text;
}

/**
 * The shape of a caption style, declared once: the Library saves versions of it, the UI edits it (its
 * form is driven by this schema), a video preset names one by slug (`captionStyle`) and a job freezes
 * the active version it ran with. Sizes are pixels on a video whose shorter side is 1080, scaled to the
 * video, so one style looks the same on every preset (landscape, portrait, previews).
 */
import { z } from 'zod';
import { nameRule, slugRule } from './presets.ts';

export { DEFAULT_CAPTION_STYLE } from './presets.ts';

/**
 * Fonts shipped in resources/fonts (licences in resources/fonts/README.md): a style picks one by id and
 * only that file is handed to libass, which matches it by `family`. Bold faces: captions are read fast.
 */
export const CAPTION_FONTS = {
  'dejavu-sans-bold': { family: 'DejaVu Sans', file: 'DejaVuSans-Bold.ttf', bold: true },
  'dejavu-sans-condensed-bold': {
    family: 'DejaVu Sans Condensed',
    file: 'DejaVuSansCondensed-Bold.ttf',
    bold: true,
  },
} as const;
export type CaptionFontId = keyof typeof CAPTION_FONTS;
export const CAPTION_FONT_IDS = Object.keys(CAPTION_FONTS) as [CaptionFontId, ...CaptionFontId[]];

export const CAPTION_POSITIONS = ['bottom', 'middle', 'top'] as const;
export const CAPTION_TEXT_CASES = ['as-written', 'upper', 'lower'] as const;
/**
 * `current-word`: the word being spoken is lit; `spoken-words`: every word said so far on the caption
 * is lit (karaoke). Timed from the narration's word timings (Azure's word boundaries, or for the offline
 * voice an estimate inside each sentence's clip).
 */
export const WORD_HIGHLIGHTS = ['none', 'current-word', 'spoken-words'] as const;

export const CAPTION_STYLE_LIMITS = {
  /** The reference: sizes are pixels on a video whose shorter side is this many pixels. */
  referenceShorterSide: 1080,
  minSize: 8,
  maxSize: 400,
  maxOutline: 40,
  maxShadow: 40,
  /** Distance from the top or bottom edge, in percent of the video's height. */
  maxMarginPercent: 45,
  maxLines: 4,
} as const;

/** "#RRGGBB", or "#RRGGBBAA" where AA is the opacity (FF opaque, 00 invisible), as in CSS. */
export const COLOUR_PATTERN = /^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$/;
const colour = (what: string) =>
  z.string().regex(COLOUR_PATTERN, `${what} must look like "#FFD400" or "#00000080" (opacity last)`);

const range = (what: string, min: number, max: number, integer = false) => {
  const message = `${what} must be ${integer ? 'a whole number ' : ''}${min}..${max}`;
  const number = z.number(message).min(min, message).max(max, message);
  return integer ? number.int(message) : number;
};

const L = CAPTION_STYLE_LIMITS;

export const CaptionStyleSchema = z.strictObject({
  slug: slugRule,
  name: nameRule,
  font: z.enum(CAPTION_FONT_IDS, `font must be one of the bundled fonts: ${CAPTION_FONT_IDS.join(', ')}`),
  /** Text height in pixels at a 1080-pixel shorter side. */
  size: range('size', L.minSize, L.maxSize, true),
  textColour: colour('textColour'),
  outlineColour: colour('outlineColour'),
  /** Outline width in pixels at a 1080-pixel shorter side; 0 for none. */
  outline: range('outline', 0, L.maxOutline),
  shadowColour: colour('shadowColour'),
  /** Shadow offset in pixels at a 1080-pixel shorter side; 0 for none. */
  shadow: range('shadow', 0, L.maxShadow),
  position: z.enum(CAPTION_POSITIONS, `position must be one of: ${CAPTION_POSITIONS.join(', ')}`),
  /** Distance from the top or bottom edge in percent of the height (unused in the middle). */
  margin: range('margin', 0, L.maxMarginPercent),
  maxLines: range('maxLines', 1, L.maxLines, true),
  textCase: z.enum(CAPTION_TEXT_CASES, `textCase must be one of: ${CAPTION_TEXT_CASES.join(', ')}`),
  wordHighlight: z.enum(WORD_HIGHLIGHTS, `wordHighlight must be one of: ${WORD_HIGHLIGHTS.join(', ')}`),
  highlightColour: colour('highlightColour'),
});
/** A caption style as the Library holds one version of it and the UI edits it. */
export type CaptionStyle = z.infer<typeof CaptionStyleSchema>;
/** What a caption style decides about the look: everything but its slug and name. */
export type CaptionLook = Omit<CaptionStyle, 'slug' | 'name'>;

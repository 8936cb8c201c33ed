/**
 * Which characters a bundled font cannot draw. libass is given only the caption style's font (and the
 * title card only its own), so a character missing from it shows as an empty box in the video: an
 * emoji or a Japanese line passed `vfo check` and came out as boxes.
 */
import { openFont } from './font-file.ts';

/** Characters no font draws on its own: spaces, controls, joiners and variation selectors. */
const NOT_DRAWN = /^(?:[\s\p{Cc}\p{Cf}]|\p{Variation_Selector})$/u;

/**
 * Blocks every bundled font draws whole (glyph-coverage.test.ts checks each font): text only of them
 * is answered without loading the font library, which cost 0.15 s of CPU on a re-render for one "’".
 */
export const ALWAYS_DRAWN_BLOCKS: readonly (readonly [number, number])[] = [
  [0x0000, 0x02af], // Latin, Latin-1, Latin Extended-A and -B, IPA
  [0x0370, 0x04ff], // Greek, Cyrillic
  [0x2000, 0x206f], // General Punctuation
  [0x2190, 0x22ff], // Arrows, Mathematical Operators
];

const ALWAYS_DRAWN = new RegExp(
  `^[${ALWAYS_DRAWN_BLOCKS.map(([from, to]) => `\\u{${from.toString(16)}}-\\u{${to.toString(16)}}`).join('')}]*$`,
  'u',
);

/** The distinct characters of `text` the font at `fontPath` has no glyph for, in order, at most `most`. */
export async function missingCharacters(fontPath: string, text: string, most = 8): Promise<string[]> {
  if (ALWAYS_DRAWN.test(text)) return [];
  const font = openFont(fontPath);
  const missing: string[] = [];
  for (const character of new Set(text)) {
    if (NOT_DRAWN.test(character)) continue;
    if (!font.hasGlyphForCodePoint(character.codePointAt(0) as number)) missing.push(character);
    if (missing.length === most) break;
  }
  return missing;
}

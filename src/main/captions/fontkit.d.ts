/**
 * The part of fontkit (which ships no types) this app uses: whether a font has a character, how wide
 * a line of text is (its glyphs' advances, kerning included) in font units, and how tall the font is.
 */
declare module 'fontkit' {
  interface Font {
    hasGlyphForCodePoint(codePoint: number): boolean;
    unitsPerEm: number;
    /** Font units above and (negative) below the baseline. */
    ascent: number;
    descent: number;
    layout(text: string): { advanceWidth: number };
  }
  export function openSync(path: string): Font | { fonts: Font[] };
}

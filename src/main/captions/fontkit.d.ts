/**
 * The part of fontkit (which ships no types) this app uses: whether a font has a character, and how
 * wide a line of text is (its glyphs' advances, kerning included) in font units.
 */
declare module 'fontkit' {
  interface Font {
    hasGlyphForCodePoint(codePoint: number): boolean;
    unitsPerEm: number;
    layout(text: string): { advanceWidth: number };
  }
  export function openSync(path: string): Font | { fonts: Font[] };
}

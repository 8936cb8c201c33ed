import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openSync } from 'fontkit';
import { describe, expect, it } from 'vitest';
import { ALWAYS_DRAWN_BLOCKS, missingCharacters } from './glyph-coverage.ts';

const FONTS_DIR = resolve(import.meta.dirname, '../../../resources/fonts');
const FONT_FILES = readdirSync(FONTS_DIR).filter((name) => name.endsWith('.ttf'));
/** What no font draws, and what is not a character yet. */
const NOT_A_GLYPH = /^(?:[\s\p{Cc}\p{Cf}\p{Cn}]|\p{Variation_Selector})$/u;

describe('which characters a bundled font draws', () => {
  // The fast path answers for these blocks without the font: a font that lacks one of their
  // characters would have it shown as an empty box with no warning.
  it.each(FONT_FILES)('%s draws every character of the blocks answered without it', (file) => {
    const font = openSync(join(FONTS_DIR, file));
    const draws = 'fonts' in font ? font.fonts[0] : font;
    const missing: string[] = [];
    for (const [from, to] of ALWAYS_DRAWN_BLOCKS) {
      for (let code = from; code <= to; code++) {
        if (NOT_A_GLYPH.test(String.fromCodePoint(code))) continue;
        if (!draws?.hasGlyphForCodePoint(code)) missing.push(code.toString(16));
      }
    }
    expect(missing).toEqual([]);
  });

  it('names what a font lacks, once each, in order, skipping what no font draws', async () => {
    const font = join(FONTS_DIR, 'DejaVuSans-Bold.ttf');
    expect(await missingCharacters(font, 'Café – “quoted” ≠ Ж')).toEqual([]);
    expect(await missingCharacters(font, 'Party 🎉🎉 日本 ❤️ \u200d €')).toEqual(['🎉', '日', '本']);
  });
});

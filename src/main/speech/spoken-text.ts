/**
 * Both offline engines treat "[[...]]" specially: espeak-ng reads it as phoneme input and macOS say as
 * an embedded command (rate, pitch, silence, even a different voice). Script text must be spoken
 * literally, so every "[[" is broken into "[ [", which both engines read as two plain brackets; so is a
 * "[" and "[" with only invisible format characters between them (a soft hyphen, a zero-width space),
 * which an engine passes over.
 */
export function breakDoubleBrackets(text: string): string {
  return text.replace(/\[(?=\p{Cf}*\[)/gu, '[ ');
}

/** Control characters would be spoken as odd noises or end a line early; a space is what was meant. */
export function withoutControlCharacters(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

/** Text as written to an engine's input file: literal, single-line, UTF-8. */
export function literalSpokenText(text: string): string {
  return breakDoubleBrackets(withoutControlCharacters(text)).trim();
}

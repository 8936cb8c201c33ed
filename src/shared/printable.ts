/**
 * Text from a script or from the network as a terminal may show it: control characters (a terminal's
 * escape sequences) and bidirectional overrides (text that reads otherwise than it is) become visible
 * escapes like `\u{1b}`. Everything else, Unicode included, stays as it is.
 */
const UNPRINTABLE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => `\\u{${(char.codePointAt(0) as number).toString(16)}}`);
}

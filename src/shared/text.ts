/** Text shown to people: shortened, and made printable. */

/** At most `max` characters, the last an ellipsis when it was cut. */
export function shorten(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Text from a script or from the network as a terminal may show it: control characters (a terminal's
 * escape sequences) and bidirectional overrides (text that reads otherwise than it is) become visible
 * escapes like `\u{1b}`. Everything else, Unicode included, stays as it is.
 */
const UNPRINTABLE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => `\\u{${(char.codePointAt(0) as number).toString(16)}}`);
}

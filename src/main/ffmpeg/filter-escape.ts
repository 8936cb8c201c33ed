/**
 * Values inside a filter graph are parsed twice by ffmpeg: once when the graph is split into filters,
 * once when a filter's options are split. Both levels must be escaped, or a path with a colon, quote or
 * comma breaks the graph (or injects filters).
 */

/** Escapes a value for a filter option (`key=value:key=value`). */
export function escapeOptionValue(value: string): string {
  return value.replace(/[\\':]/g, (c) => `\\${c}`);
}

/** Escapes a filter's argument string for the graph description (`a=b,c=d;[x]...`). */
export function escapeGraphText(value: string): string {
  return value.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** A file path (or any text) used as a filter option value inside -filter_complex. */
export function filterPath(path: string): string {
  return escapeGraphText(escapeOptionValue(path));
}

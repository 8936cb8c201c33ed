import { parseTransition } from '../../shared/transition.ts';
import { type DiagnosticCollector, shorten } from './diagnostics.ts';
import { SCRIPT_LIMITS, VOICE_SLUG_PATTERN } from './limits.ts';
import type { ScriptMeta } from './types.ts';

export interface FrontMatter {
  meta: ScriptMeta;
  /** 0-based index of the first line after the front matter (0 when there is none). */
  bodyStart: number;
  /** Where each value kept in `meta` was written (a media path is checked later, at its place). */
  positions: Partial<Record<MetaKey, { line: number; col: number }>>;
}

type MetaKey = keyof ScriptMeta;
const KNOWN_KEYS: readonly MetaKey[] = [
  'title',
  'subtitle',
  'recipe',
  'voice',
  'language',
  'music',
  'thumbnail',
  'transition',
];
const KEY_LINE = /^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(.*)$/s;
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

function isFence(line: string): boolean {
  return line.trimEnd() === '---';
}

/**
 * Optional `---` / `key: value` / `---` block at the very top. Only flat string values: this is
 * metadata for a narration, not YAML, and a tiny grammar gives exact, located errors.
 */
export function parseFrontMatter(lines: readonly string[], diagnostics: DiagnosticCollector): FrontMatter {
  if (lines.length === 0 || !isFence(lines[0] as string)) return { meta: {}, bodyStart: 0, positions: {} };
  const close = lines.findIndex((line, i) => i > 0 && isFence(line));
  if (close < 0) {
    diagnostics.error(1, 1, 'unterminated front matter: no closing "---" line');
    return { meta: {}, bodyStart: lines.length, positions: {} };
  }
  const matter: FrontMatter = { meta: {}, bodyStart: close + 1, positions: {} };
  for (let i = 1; i < close; i++) {
    readEntry(lines[i] as string, i + 1, matter, diagnostics);
  }
  return matter;
}

function readEntry(text: string, line: number, matter: FrontMatter, diagnostics: DiagnosticCollector): void {
  const { meta } = matter;
  if (text.trim() === '' || text.startsWith('#')) return;
  const match = KEY_LINE.exec(text);
  if (!match) {
    diagnostics.error(line, 1, 'malformed front matter line; expected "key: value"');
    return;
  }
  const key = (match[1] as string).toLowerCase();
  const rawValue = match[2] as string;
  const valueCol = text.length - rawValue.trimStart().length + 1;
  if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
    diagnostics.warning(
      line,
      1,
      `unknown front matter key "${shorten(key)}"; known keys: ${KNOWN_KEYS.join(', ')}`,
    );
    return;
  }
  const unquoted = unquote(rawValue.trim());
  if (unquoted === undefined) {
    diagnostics.error(line, valueCol, `unterminated quoted value for "${key}"`);
    return;
  }
  // A quoted value of spaces is no value: a title of "   " drew no line and broke the title card's graph.
  const value = unquoted.trim();
  if (value === '') {
    diagnostics.warning(line, valueCol, `front matter key "${key}" has no value; ignored`);
    return;
  }
  const problem = validateValue(key as MetaKey, value);
  if (problem) {
    diagnostics.error(line, valueCol, problem);
    return;
  }
  if (meta[key as MetaKey] !== undefined) {
    diagnostics.warning(line, 1, `duplicate front matter key "${key}"; the last one wins`);
  }
  meta[key as MetaKey] = value;
  matter.positions[key as MetaKey] = { line, col: valueCol };
}

/** Strips matching quotes; undefined when a quote is opened but never closed. */
function unquote(value: string): string | undefined {
  const quote = value[0];
  if (quote !== '"' && quote !== "'") return value;
  if (value.length < 2 || !value.endsWith(quote)) return undefined;
  const inner = value.slice(1, -1);
  return quote === '"' ? inner.replace(/\\(["\\])/g, '$1') : inner.replaceAll("''", "'");
}

function validateValue(key: MetaKey, value: string): string | undefined {
  switch (key) {
    case 'title':
    case 'subtitle':
      return value.length > SCRIPT_LIMITS.maxTitleLength
        ? `${key} is ${value.length} characters; the limit is ${SCRIPT_LIMITS.maxTitleLength}`
        : undefined;
    case 'recipe':
    case 'voice':
      return VOICE_SLUG_PATTERN.test(value)
        ? undefined
        : `front matter "${key}" must be a slug (letters, digits and . _ + -), got "${shorten(value)}"`;
    case 'language':
      return LANGUAGE_TAG.test(value)
        ? undefined
        : `front matter "language" must be a language tag like "en-US", got "${shorten(value)}"`;
    case 'music':
      // A path (checked like every media path, where it stands) or "off".
      return undefined;
    case 'transition': {
      // Checked here, where it is written, so a typo is a located error and not a failed job.
      const parsed = parseTransition(value);
      return parsed.ok ? undefined : `front matter "transition": ${parsed.message}`;
    }
    case 'thumbnail':
      // An image path, checked like every media path where it stands.
      return undefined;
  }
}

import { shorten } from './diagnostics.ts';
import {
  checkPauseMs,
  checkStyleName,
  looksLikeClipRange,
  parseClipRange,
  parsePauseMs,
  parsePitch,
  parseRate,
  parseStyleDegree,
  type ValueResult,
} from './direction-values.ts';
import { VOICE_SLUG_PATTERN } from './limits.ts';
import type { DirectionMap, DirectionSpec, SpeakingStyle } from './types.ts';

/** What one `[...]` does. For prosody, undefined = unchanged and null = back to normal. */
export type DirectionAction =
  | { kind: 'pause'; ms: number }
  | { kind: 'style'; style: SpeakingStyle | undefined }
  | { kind: 'prosody'; rate?: string | null; pitch?: string | null }
  | { kind: 'voice'; voice: string | undefined }
  | { kind: 'image'; path: string }
  | { kind: 'clip'; path: string; range?: { startMs: number; endMs: number } }
  /** path null: no music from here on. */
  | { kind: 'music'; path: string | null };

export type DirectionOutcome = { ok: true; action: DirectionAction } | { ok: false; message: string };

export interface DirectionVocabulary {
  /** Normalised word → the word as configured and its meaning. */
  entries: Map<string, { word: string; spec: DirectionSpec }>;
  /** Normalised words that mean "back to default" (the map's style-reset words plus "default"). */
  resetWords: Set<string>;
  /** Configured words, sorted, for "did you mean" hints. */
  sortedWords: { word: string; normalized: string }[];
  /**
   * Hints already computed, by normalised unknown word: a hostile script repeating one bad
   * direction thousands of times must not redo the fuzzy search each time.
   */
  hintCache: Map<string, string>;
}

/** Lower case without diacritics, so "Rápido", "rapido" and "RÁPIDO" are the same word. */
export function normalizeWord(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function compileDirectionMap(map: DirectionMap): DirectionVocabulary {
  const entries = new Map<string, { word: string; spec: DirectionSpec }>();
  const resetWords = new Set<string>(['default']);
  for (const [word, spec] of Object.entries(map)) {
    const key = normalizeWord(word);
    entries.set(key, { word, spec });
    if (spec.kind === 'style-reset') resetWords.add(key);
  }
  const sortedWords = Object.keys(map)
    .sort()
    .map((word) => ({ word, normalized: normalizeWord(word) }));
  return { entries, resetWords, sortedWords, hintCache: new Map() };
}

/** Interprets the text between `[` and `]`: the first word is the keyword, the rest its arguments. */
export function interpretDirection(content: string, vocabulary: DirectionVocabulary): DirectionOutcome {
  const shown = `"[${shorten(content)}]"`;
  const trimmed = content.trim();
  if (trimmed === '') return { ok: false, message: 'empty stage direction "[]"' };
  const keyword = trimmed.split(/\s/, 1)[0] as string;
  const args = trimmed.slice(keyword.length).trim();
  const entry = vocabulary.entries.get(normalizeWord(keyword));
  if (!entry) return { ok: false, message: unknownMessage(keyword, shown, vocabulary) };
  const spec = entry.spec;
  const noArgs = (action: DirectionAction): DirectionOutcome =>
    args === '' ? { ok: true, action } : { ok: false, message: `unexpected "${shorten(args)}" in ${shown}` };
  const isReset = vocabulary.resetWords.has(normalizeWord(args));
  switch (spec.kind) {
    case 'pause':
      return wrap(args === '' ? checkPauseMs(spec.defaultMs, shown) : parsePauseMs(args, shown), (ms) => ({
        kind: 'pause',
        ms,
      }));
    case 'style':
      return styleAction(spec.style, args, shown);
    case 'style-named': {
      if (args === '')
        return { ok: false, message: `${shown} needs a style name, e.g. [${keyword} cheerful]` };
      if (isReset) return { ok: true, action: { kind: 'style', style: undefined } };
      const [name, ...rest] = args.split(/\s+/) as [string, ...string[]];
      // "[estilo alegre]" means the style the vocabulary calls "alegre" (cheerful): engines use English names.
      const alias = vocabulary.entries.get(normalizeWord(name))?.spec;
      return styleAction(alias?.kind === 'style' ? alias.style : name, rest.join(' '), shown);
    }
    case 'style-reset':
      return noArgs({ kind: 'style', style: undefined });
    case 'prosody':
      return fixedProsody(spec, shown, noArgs);
    case 'rate':
      if (isReset) return { ok: true, action: { kind: 'prosody', rate: null } };
      return wrap(parseRate(args, shown), (rate) => ({ kind: 'prosody', rate }));
    case 'pitch':
      if (isReset) return { ok: true, action: { kind: 'prosody', pitch: null } };
      return wrap(parsePitch(args, shown), (pitch) => ({ kind: 'prosody', pitch }));
    case 'voice':
      return voiceAction(args, isReset, keyword, shown);
    case 'image':
      if (args === '')
        return { ok: false, message: `${shown} needs a file, e.g. [${keyword} pictures/intro.png]` };
      return { ok: true, action: { kind: 'image', path: args } };
    case 'clip':
      return clipAction(args, keyword, shown);
    case 'music': {
      if (args === '')
        return { ok: false, message: `${shown} needs a file, e.g. [${keyword} music/bed.mp3]` };
      const off = normalizeWord(args);
      if (off === 'off' || (spec.off !== undefined && off === normalizeWord(spec.off)))
        return { ok: true, action: { kind: 'music', path: null } };
      return { ok: true, action: { kind: 'music', path: args } };
    }
  }
}

/** "[clip PATH]" or "[clip PATH 12s-20s]": a last word that reads as a range is the range. */
function clipAction(args: string, keyword: string, shown: string): DirectionOutcome {
  if (args === '') return { ok: false, message: `${shown} needs a file, e.g. [${keyword} clips/intro.mp4]` };
  const lastSpace = args.search(/\s\S+$/);
  const last = lastSpace < 0 ? '' : args.slice(lastSpace + 1);
  if (lastSpace < 0 || !looksLikeClipRange(last)) return { ok: true, action: { kind: 'clip', path: args } };
  return wrap(parseClipRange(last, shown), (range) => ({
    kind: 'clip',
    path: args.slice(0, lastSpace).trim(),
    range,
  }));
}

function wrap<T>(result: ValueResult<T>, toAction: (value: T) => DirectionAction): DirectionOutcome {
  return result.ok ? { ok: true, action: toAction(result.value) } : result;
}

function styleAction(name: string, degreeText: string, shown: string): DirectionOutcome {
  const checked = checkStyleName(name, shown);
  if (!checked.ok) return checked;
  if (degreeText === '') return { ok: true, action: { kind: 'style', style: { name: checked.value } } };
  return wrap(parseStyleDegree(degreeText, shown), (degree) => ({
    kind: 'style',
    style: { name: checked.value, degree },
  }));
}

function fixedProsody(
  spec: { rate?: string; pitch?: string },
  shown: string,
  noArgs: (action: DirectionAction) => DirectionOutcome,
): DirectionOutcome {
  // Values come from configuration; checking them here turns a bad preset into a located error.
  const rate = spec.rate === undefined ? undefined : parseRate(spec.rate, shown);
  const pitch = spec.pitch === undefined ? undefined : parsePitch(spec.pitch, shown);
  if (rate && !rate.ok) return rate;
  if (pitch && !pitch.ok) return pitch;
  const action: DirectionAction = { kind: 'prosody' };
  if (rate) action.rate = rate.value;
  if (pitch) action.pitch = pitch.value;
  return noArgs(action);
}

function voiceAction(args: string, isReset: boolean, keyword: string, shown: string): DirectionOutcome {
  if (args === '') return { ok: false, message: `${shown} needs a voice, e.g. [${keyword} narrator-2]` };
  if (isReset) return { ok: true, action: { kind: 'voice', voice: undefined } };
  if (!VOICE_SLUG_PATTERN.test(args)) {
    return {
      ok: false,
      message: `invalid voice "${shorten(args)}" in ${shown}; use letters, digits and . _ + - (no spaces)`,
    };
  }
  return { ok: true, action: { kind: 'voice', voice: args } };
}

const HINT_CACHE_LIMIT = 1000;

function unknownMessage(keyword: string, shown: string, vocabulary: DirectionVocabulary): string {
  const typed = normalizeWord(keyword);
  let hint = vocabulary.hintCache.get(typed);
  if (hint === undefined) {
    hint = closeWordsHint(typed, vocabulary.sortedWords);
    if (vocabulary.hintCache.size < HINT_CACHE_LIMIT) vocabulary.hintCache.set(typed, hint);
  }
  return `unknown stage direction ${shown}; ${hint}`;
}

function closeWordsHint(typed: string, words: { word: string; normalized: string }[]): string {
  const close = words.filter((w) => isClose(typed, w.normalized)).map((w) => `"${w.word}"`);
  if (close.length > 0) return `did you mean ${close.join(' or ')}?`;
  const known = words.slice(0, 40).map((w) => w.word);
  return `known directions: ${known.join(', ')}${words.length > 40 ? ', …' : ''}`;
}

function isClose(typed: string, word: string): boolean {
  if (typed.length >= 3 && (word.startsWith(typed) || typed.startsWith(word))) return true;
  const allowed = word.length <= 4 ? 1 : 2;
  return editDistance(typed, word, allowed) <= allowed;
}

/** Levenshtein distance, giving up early (returning limit + 1) once it must exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] as number;
}

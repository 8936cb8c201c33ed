/**
 * Which utterance each reported word belongs to. The service reports a word's text, not which
 * sentence it came from, so each word is found in the chunk's SSML (outside tags, as written or as
 * escaped), searching forward from the previous word; the item span it falls in names its utterance.
 * This is the same forward search the SDK does for its textOffset, made to see through XML escapes.
 */
import { escapeXml } from '../../script/ssml.ts';
import type { Utterance } from '../../script/types.ts';
import type { WordTiming } from '../types.ts';
import { type SsmlChunk, utterancesOf } from './chunks.ts';

/** Offset of each word in the SSML text, -1 for a word that cannot be found. */
export function locateWords(ssml: string, words: readonly WordTiming[]): number[] {
  // Tags become NULs of the same length: offsets stay true and no word can match inside markup.
  const textOnly = ssml.replace(/<[^>]*>/g, (tag) => '\u0000'.repeat(tag.length));
  let cursor = 0;
  return words.map((word) => {
    let found: { at: number; length: number } | undefined;
    for (const form of new Set([word.text, escapeXml(word.text)])) {
      if (form === '') continue;
      const at = textOnly.indexOf(form, cursor);
      if (at >= 0 && (found === undefined || at < found.at)) found = { at, length: form.length };
    }
    if (!found) return -1;
    cursor = found.at + found.length;
    return found.at;
  });
}

/**
 * The utterance of each word. A word that cannot be placed (or falls on a pause) stays with the
 * utterance of the word before it, so captions keep flowing instead of losing the word.
 */
export function wordOwners(chunk: SsmlChunk, words: readonly WordTiming[]): Utterance[] {
  const offsets = locateWords(chunk.ssml, words);
  let owner = utterancesOf(chunk)[0];
  if (!owner) return [];
  return offsets.map((offset) => {
    const span = chunk.spans.find((s) => offset >= s.start && offset < s.end);
    if (span?.item.kind === 'speech') owner = span.item;
    return owner as Utterance;
  });
}

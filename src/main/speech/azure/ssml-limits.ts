/**
 * What a request's SSML can make, read from the SSML itself (ours: built by buildSsml from the
 * script): its words spoken at 40 words a minute (a quarter of Azure's default rate, half its slowest),
 * its <break> pauses, and ten seconds of slack. A service that sends more (an endless turn, hours of
 * audio for twelve words) is refused at that point, not after the narration budget of six hours. A
 * turn that ends with less (its words faster than 1,000 a minute, or no word timing for a text with
 * letters) is refused too: cut short, it was kept as a silent narration.
 */
import { countWords } from '../spoken-length.ts';
import type { SynthesisLimits } from './synthesize-once.ts';

const SLOWEST_WORDS_PER_MINUTE = 40;
/** Several times the fastest rate Azure speaks at (its x-fast, or prosody rate +100%). */
const FASTEST_WORDS_PER_MINUTE = 1000;
/**
 * Letters of scripts written without spaces (Chinese, Japanese, Thai...), each a syllable or more:
 * countWords counts twelve as one word, and a slow Mandarin voice's 4 a second passed the ceiling.
 */
const UNSPACED_LETTER =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/gu;
const SLACK_MS = 10_000;
/** Boundaries a word may be reported as (a number read out, a compound), plus a few. */
const BOUNDARIES_PER_WORD = 3;
const EXTRA_BOUNDARIES = 50;

export function ssmlLimits(ssml: string): SynthesisLimits {
  let pausesMs = 0;
  for (const [, amount, unit] of ssml.matchAll(/<break\b[^>]*\btime="(\d+(?:\.\d+)?)(ms|s)"/g)) {
    pausesMs += Number(amount) * (unit === 's' ? 1000 : 1);
  }
  const text = ssml.replace(/<[^>]*>/g, ' ').replace(/&[#\w]+;/g, ' ');
  const words = countWords(text);
  // At most: each unspaced letter a word of its own. At least: the words of letters only (a voice may
  // pass over a symbol or an emoji in silence).
  const most = words + (text.match(UNSPACED_LETTER) ?? []).length;
  const least = countWords(text.replace(/[\p{N}\p{S}]/gu, ' '));
  return {
    maxAudioMs: Math.round(pausesMs + (most * 60_000) / SLOWEST_WORDS_PER_MINUTE + SLACK_MS),
    maxWords: most * BOUNDARIES_PER_WORD + EXTRA_BOUNDARIES,
    minAudioMs: Math.floor((least * 60_000) / FASTEST_WORDS_PER_MINUTE),
    minWords: /\p{L}/u.test(text) ? 1 : 0,
  };
}

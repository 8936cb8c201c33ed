/**
 * What a request's SSML can make, read from the SSML itself (ours: built by buildSsml from the
 * script): its words spoken at 40 words a minute (a quarter of Azure's default rate, half its slowest),
 * its <break> pauses, and ten seconds of slack. A service that sends more (an endless turn, hours of
 * audio for twelve words) is refused at that point, not after the narration budget of six hours.
 */
import { countWords } from '../spoken-length.ts';
import type { SynthesisLimits } from './synthesize-once.ts';

const SLOWEST_WORDS_PER_MINUTE = 40;
const SLACK_MS = 10_000;
/** Boundaries a word may be reported as (a number read out, a compound), plus a few. */
const BOUNDARIES_PER_WORD = 3;
const EXTRA_BOUNDARIES = 50;

export function ssmlLimits(ssml: string): SynthesisLimits {
  let pausesMs = 0;
  for (const [, amount, unit] of ssml.matchAll(/<break\b[^>]*\btime="(\d+(?:\.\d+)?)(ms|s)"/g)) {
    pausesMs += Number(amount) * (unit === 's' ? 1000 : 1);
  }
  const words = countWords(ssml.replace(/<[^>]*>/g, ' ').replace(/&[#\w]+;/g, ' '));
  return {
    maxAudioMs: Math.round(pausesMs + (words * 60_000) / SLOWEST_WORDS_PER_MINUTE + SLACK_MS),
    maxWords: words * BOUNDARIES_PER_WORD + EXTRA_BOUNDARIES,
  };
}

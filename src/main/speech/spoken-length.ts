/**
 * How long a script will take to say, known before any speech exists: its words over the voice's
 * speaking rate (the preset's prosody rate, overridden by `[rate ±N%]`, `[slow]` and `[fast]` as the
 * engines apply them), plus its pauses and the silences the narration puts between sentences and
 * scenes. The script check refuses a script whose estimate passes the longest video a plan allows, so
 * an over-long script costs no synthesis at all; previews show the same figure.
 */
import { PLAN_LIMITS } from '../../shared/render-plan.ts';
import type { Diagnostic, Prosody, ScriptDocument, Utterance } from '../script/types.ts';
import { NARRATION_GAPS } from './narration-timeline.ts';
import { createOfflineSynthesizer } from './offline.ts';
import { espeakWordsPerMinute, rateMultiplier, sayWordsPerMinute } from './prosody.ts';

export type NarrationEngine = 'espeak-ng' | 'say' | 'azure';

/**
 * Words a minute each engine really speaks at rate "+0%" (asked for 175 words a minute where the
 * engine takes a number). espeak-ng 1.51 was measured (spoken-length.test.ts calibrates it against a
 * real narration): asked for 175 it speaks English at about 210, Spanish at 170 and Portuguese at 180
 * words a minute (longer words); 195 keeps each within ±15 %. macOS say keeps close to the rate it is
 * given. Azure's neural voices speak about 150 at their default rate (not measurable here: no network).
 */
export const SPOKEN_WORDS_PER_MINUTE: Record<NarrationEngine, number> = {
  'espeak-ng': 195,
  say: 175,
  azure: 150,
};

/** The rate the offline adapters are started from (espeak-ng -s, say -r). */
const ENGINE_BASE_WORDS_PER_MINUTE = 175;

export interface SpokenLengthVoice {
  engine: NarrationEngine;
  /** The preset's prosody; an utterance's own rate replaces its rate, as in synthesis. */
  prosody: Prosody;
}

export interface SpokenLength {
  totalMs: number;
  words: number;
  /** The first item that ends past `limitMs` (when one was given and the script passes it). */
  passesLimitAt?: { line: number; col: number; scene: string; atMs: number };
}

/** Words a minute this voice speaks an utterance with the given rate, as the engine will clamp it. */
export function wordsPerMinute(engine: NarrationEngine, rate: string | undefined): number {
  const base = SPOKEN_WORDS_PER_MINUTE[engine];
  try {
    if (engine === 'espeak-ng') {
      return (base * espeakWordsPerMinute(rate, ENGINE_BASE_WORDS_PER_MINUTE)) / ENGINE_BASE_WORDS_PER_MINUTE;
    }
    if (engine === 'say') {
      return (base * sayWordsPerMinute(rate, ENGINE_BASE_WORDS_PER_MINUTE)) / ENGINE_BASE_WORDS_PER_MINUTE;
    }
    return base * rateMultiplier(rate);
  } catch {
    // An unreadable rate is refused when the voice is asked for it; estimate it at the default.
    return base;
  }
}

/** Longer than nearly every word of the languages the voices speak. */
const LETTERS_PER_WORD = 12;

/**
 * Words as the engines read them: each run of text holding a letter counts once per 12 letters, and
 * each digit counts as a word (a voice reads long numbers digit by digit: 1,100 digits counted as one
 * word were estimated at 4 s and spoken for 257 s), and so does each symbol and emoji (espeak-ng reads
 * "™" as "trademark": "x" and fifty of them, counted as one word, took 13.6 s). A script written
 * without spaces between words (Chinese, Japanese) still counts low; the narration's output budget
 * stops it.
 */
export function countWords(text: string): number {
  let words = 0;
  for (const token of text.split(/\s+/)) {
    const letters = (token.match(/\p{L}/gu) ?? []).length;
    const spokenOneByOne = (token.match(/[\p{N}\p{S}]/gu) ?? []).length;
    words += (letters > 0 ? Math.ceil(letters / LETTERS_PER_WORD) : 0) + spokenOneByOne;
  }
  return words;
}

/** The estimated narration, laid out like the real one (narration-timeline.ts). */
export function estimateSpokenLength(
  document: ScriptDocument,
  voice: SpokenLengthVoice,
  limitMs?: number,
): SpokenLength {
  let position = 0;
  let words = 0;
  let passesLimitAt: SpokenLength['passesLimitAt'];
  const reached = (item: { line: number; col: number }, scene: string): void => {
    if (passesLimitAt || limitMs === undefined || position <= limitMs) return;
    passesLimitAt = { line: item.line, col: item.col, scene, atMs: position };
  };
  document.scenes.forEach((scene, sceneNumber) => {
    if (sceneNumber > 0) position += NARRATION_GAPS.sceneGapMs;
    const sceneStart = position;
    let spoke = false;
    for (const item of scene.items) {
      if (item.kind === 'pause') {
        position += item.ms;
      } else {
        const count = countWords(item.text);
        if (count === 0) continue;
        if (spoke) position += NARRATION_GAPS.utteranceGapMs;
        spoke = true;
        words += count;
        position += (count / wordsPerMinute(voice.engine, rateOf(item, voice))) * 60_000;
      }
      reached(item, scene.title);
    }
    if (position === sceneStart) position += NARRATION_GAPS.emptySceneMs;
    reached({ line: scene.line, col: 1 }, scene.title);
  });
  const totalMs = Math.round(position);
  return passesLimitAt ? { totalMs, words, passesLimitAt } : { totalMs, words };
}

function rateOf(utterance: Utterance, voice: SpokenLengthVoice): string | undefined {
  return utterance.prosody.rate ?? voice.prosody.rate;
}

export interface LengthCheck {
  estimate: SpokenLength;
  /** A located error where the estimated narration passes the limit; absent when it fits. */
  problem?: Diagnostic;
}

/**
 * The script check's verdict on length, for a document about to be spoken with a voice preset: an
 * Azure preset is estimated at Azure's rate, an offline one at this machine's offline engine.
 */
export function checkSpokenLength(
  document: ScriptDocument,
  preset: { provider: string; prosody: Prosody },
  limitMs: number = PLAN_LIMITS.maxDurationMs,
  offlineEngine: string = createOfflineSynthesizer().id,
): LengthCheck {
  const engine: NarrationEngine =
    preset.provider === 'azure' ? 'azure' : offlineEngine === 'say' ? 'say' : 'espeak-ng';
  const voice = { engine, prosody: preset.prosody };
  const estimate = estimateSpokenLength(document, voice, limitMs);
  const at = estimate.passesLimitAt;
  if (!at) return { estimate };
  const rate = Math.round(wordsPerMinute(engine, preset.prosody.rate));
  const message =
    `the narration would last about ${formatLength(estimate.totalMs)} (${estimate.words.toLocaleString('en-US')} words at about ` +
    `${rate} words a minute for ${engine}, with pauses); a video may last at most ` +
    `${formatLength(limitMs)}, passed here in scene "${shortTitle(at.scene)}": shorten the script or split it`;
  return {
    estimate,
    problem: { file: document.file, line: at.line, col: at.col, severity: 'error', message },
  };
}

/** "6 h", "7 h 12 min", "45 min", "12 s". */
export function formatLength(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  // Under ten minutes to the second: "1 min" against a budget of "1 min" said nothing.
  if (seconds < 600)
    return seconds % 60 === 0 ? `${seconds / 60} min` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const minutes = Math.round(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

function shortTitle(title: string): string {
  return title.length <= 60 ? title : `${title.slice(0, 59)}…`;
}

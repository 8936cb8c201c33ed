/**
 * SSML-style prosody values ("+10%", "-2st") turned into what each offline engine understands.
 * Unknown forms are rejected with a clear message instead of being silently spoken at the default.
 */
import { SpeechError } from './errors.ts';

// Same meaning as Azure's named values, so a preset sounds alike on every engine.
const NAMED_RATE_MULTIPLIERS: Record<string, number> = {
  'x-slow': 0.5,
  slow: 0.64,
  medium: 1,
  default: 1,
  fast: 1.55,
  'x-fast': 2,
};
const NAMED_PITCH_PERCENT: Record<string, number> = {
  'x-low': -50,
  low: -25,
  medium: 0,
  default: 0,
  high: 25,
  'x-high': 50,
};

const PERCENT = /^([+-]?)(\d+(?:\.\d+)?)\s*%$/;
const MULTIPLIER = /^(\d+(?:\.\d+)?)$/;
const SEMITONES = /^([+-]?)(\d+(?:\.\d+)?)\s*st$/i;

function signed(sign: string | undefined, digits: string | undefined): number {
  return (sign === '-' ? -1 : 1) * Number(digits);
}

/** "+10%" → 1.1, "-20%" → 0.8, "1.2" → 1.2 (Azure-style multiplier), "slow" → 0.64. */
export function rateMultiplier(rate: string | undefined): number {
  const text = rate?.trim().toLowerCase() ?? '';
  if (text === '') return 1;
  const named = NAMED_RATE_MULTIPLIERS[text];
  if (named !== undefined) return named;
  const percent = PERCENT.exec(text);
  const multiplier = percent ? 1 + signed(percent[1], percent[2]) / 100 : Number(MULTIPLIER.exec(text)?.[1]);
  if (!Number.isFinite(multiplier)) {
    throw new SpeechError(
      'invalid-prosody',
      `Unsupported speaking rate "${rate}": use a percentage like "+10%" or "-20%"`,
    );
  }
  if (multiplier <= 0) {
    throw new SpeechError('invalid-prosody', `Speaking rate "${rate}" would stop speech entirely`);
  }
  return multiplier;
}

/** "+5%" → +0.84 st, "-2st" → -2, "high" → +3.86 st. Semitones are the common unit of both engines. */
export function pitchSemitones(pitch: string | undefined): number {
  const text = pitch?.trim().toLowerCase() ?? '';
  if (text === '') return 0;
  const semitones = SEMITONES.exec(text);
  if (semitones) return signed(semitones[1], semitones[2]);
  const named = NAMED_PITCH_PERCENT[text];
  const percentMatch = PERCENT.exec(text);
  const percent = named ?? (percentMatch ? signed(percentMatch[1], percentMatch[2]) : undefined);
  if (percent === undefined) {
    throw new SpeechError(
      'invalid-prosody',
      `Unsupported pitch "${pitch}": use a value like "+5%" or "-2st"`,
    );
  }
  if (percent <= -100) {
    throw new SpeechError('invalid-prosody', `Pitch "${pitch}" is out of range: it must be above -100%`);
  }
  return 12 * Math.log2(1 + percent / 100);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** espeak-ng -s: words per minute around the base; espeak-ng only accepts 80..450. */
export function espeakWordsPerMinute(rate: string | undefined, baseWordsPerMinute: number): number {
  return clamp(Math.round(baseWordsPerMinute * rateMultiplier(rate)), 80, 450);
}

/**
 * espeak-ng -p (0..99, default 50): its pitch table is 2^((p-50)/50), i.e. 50 steps per octave,
 * so one semitone is 50/12 steps.
 */
export function espeakPitch(pitch: string | undefined): number {
  return clamp(Math.round(50 + (50 * pitchSemitones(pitch)) / 12), 0, 99);
}

/** say -r: words per minute; bounded to what still sounds like speech. */
export function sayWordsPerMinute(rate: string | undefined, baseWordsPerMinute: number): number {
  return clamp(Math.round(baseWordsPerMinute * rateMultiplier(rate)), 50, 700);
}

/**
 * A relative `[[pbas ±N]]` embedded command for say: pbas is on the MIDI note scale, so its unit is
 * the semitone. Empty when the pitch is unchanged, so plain requests carry no command at all.
 */
export function sayPitchCommand(pitch: string | undefined): string {
  const semitones = Math.round(pitchSemitones(pitch) * 100) / 100;
  if (semitones === 0) return '';
  return `[[pbas ${semitones > 0 ? '+' : ''}${semitones}]] `;
}

import { shorten } from './diagnostics.ts';
import { SCRIPT_LIMITS, STYLE_NAME_PATTERN } from './limits.ts';

/** A parsed argument, or a message saying what was expected. */
export type ValueResult<T> = { ok: true; value: T } | { ok: false; message: string };

const NUMBER = String.raw`(\d+(?:[.,]\d+)?)`;
const DURATION = new RegExp(
  String.raw`^${NUMBER}\s*(ms|milliseconds?|milisegundos?|s|secs?|seconds?|seg|segs|segundos?)$`,
  'i',
);
const PERCENT = new RegExp(String.raw`^([+-]?)${NUMBER}\s*%$`);
const PITCH = new RegExp(String.raw`^([+-]?)${NUMBER}\s*(%|st)$`, 'i');
const DEGREE = new RegExp(`^${NUMBER}$`);

/** Accepts "1,5" as well as "1.5": Spanish and Portuguese writers use a decimal comma. */
function toNumber(digits: string): number {
  return Number(digits.replace(',', '.'));
}

/**
 * A rate or pitch to the hundredth: "+0.0000001%" was written "+1e-7%", which the check passed and the
 * voice refused at narration. Below a hundredth it is no change at all.
 */
function toHundredths(digits: string): number {
  return Math.round(toNumber(digits) * 100) / 100;
}

function formatSigned(sign: string, magnitude: number, unit: string): string {
  return `${sign === '-' ? '-' : '+'}${magnitude}${unit}`;
}

export function parsePauseMs(text: string, shown: string): ValueResult<number> {
  const match = DURATION.exec(text.trim());
  if (!match) {
    return { ok: false, message: `pause length must look like "700ms" or "1.5s" in ${shown}` };
  }
  const amount = toNumber(match[1] as string);
  const ms = Math.round((match[2] as string).toLowerCase().startsWith('m') ? amount : amount * 1000);
  return checkPauseMs(ms, shown);
}

export function checkPauseMs(ms: number, shown: string): ValueResult<number> {
  if (!Number.isFinite(ms) || ms < SCRIPT_LIMITS.minPauseMs || ms > SCRIPT_LIMITS.maxPauseMs) {
    return { ok: false, message: `absurd value in ${shown}: a pause must be between 1 ms and 10 s` };
  }
  return { ok: true, value: Math.round(ms) };
}

/** SSML rate such as "+10%"; null means "back to normal" (0%). */
export function parseRate(text: string, shown: string): ValueResult<string | null> {
  const match = PERCENT.exec(text.trim());
  if (!match) {
    return { ok: false, message: `rate must be a percentage like "+10%" or "-20%" in ${shown}` };
  }
  const magnitude = toHundredths(match[2] as string);
  const signed = (match[1] === '-' ? -1 : 1) * magnitude;
  if (signed < SCRIPT_LIMITS.minRatePercent || signed > SCRIPT_LIMITS.maxRatePercent) {
    return { ok: false, message: `absurd value in ${shown}: rate must be between -50% and +100%` };
  }
  if (magnitude === 0) return { ok: true, value: null };
  return { ok: true, value: formatSigned(match[1] as string, magnitude, '%') };
}

/** SSML pitch such as "+5%" or "-2st"; null means "back to normal". */
export function parsePitch(text: string, shown: string): ValueResult<string | null> {
  const match = PITCH.exec(text.trim());
  if (!match) {
    return { ok: false, message: `pitch must look like "+5%" or "-2st" in ${shown}` };
  }
  const magnitude = toHundredths(match[2] as string);
  const unit = (match[3] as string).toLowerCase();
  const limit = unit === '%' ? SCRIPT_LIMITS.maxPitchPercent : SCRIPT_LIMITS.maxPitchSemitones;
  if (magnitude > limit) {
    return {
      ok: false,
      message: `absurd value in ${shown}: pitch must be between -50% and +50% (or -12st and +12st)`,
    };
  }
  if (magnitude === 0) return { ok: true, value: null };
  return { ok: true, value: formatSigned(match[1] as string, magnitude, unit) };
}

export function parseStyleDegree(text: string, shown: string): ValueResult<number> {
  const match = DEGREE.exec(text.trim());
  if (!match) return { ok: false, message: `style degree must be a number like 1.5 in ${shown}` };
  const degree = toNumber(match[1] as string);
  if (degree < SCRIPT_LIMITS.minStyleDegree || degree > SCRIPT_LIMITS.maxStyleDegree) {
    return { ok: false, message: `absurd value in ${shown}: style degree must be between 0.01 and 2` };
  }
  return { ok: true, value: degree };
}

export function checkStyleName(name: string, shown: string): ValueResult<string> {
  if (!STYLE_NAME_PATTERN.test(name)) {
    return {
      ok: false,
      message: `invalid style name "${shorten(name)}" in ${shown}; use letters and hyphens, e.g. "cheerful"`,
    };
  }
  return { ok: true, value: name.toLowerCase() };
}

/** One end of a clip range: "12s", "1.5s", "500ms", "1:05" (minutes:seconds) or "12" (seconds). */
const CLIP_TIME = String.raw`(?:(\d+):)?(\d+(?:[.,]\d+)?)\s*(ms|s)?`;
const CLIP_RANGE = new RegExp(`^${CLIP_TIME}\\s*-\\s*${CLIP_TIME}$`, 'i');

/** Whether the last word of a [clip ...] direction is a range (and not part of the file name). */
export function looksLikeClipRange(text: string): boolean {
  return CLIP_RANGE.test(text.trim());
}

/** "12s-20s" → the part of the clip to show, in milliseconds into the file. */
export function parseClipRange(text: string, shown: string): ValueResult<{ startMs: number; endMs: number }> {
  const match = CLIP_RANGE.exec(text.trim());
  if (!match) return { ok: false, message: `a clip range must look like "12s-20s" in ${shown}` };
  // A unit written only after the end applies to both ends ("500-1500ms").
  const endUnit = (match[6] ?? 's').toLowerCase();
  const at = (minutes: string | undefined, amount: string, unit: string | undefined) => {
    const value = toNumber(amount);
    const ms = (unit ?? endUnit).toLowerCase() === 'ms' ? value : value * 1000;
    return Math.round(ms + (minutes === undefined ? 0 : Number(minutes) * 60_000));
  };
  const startMs = at(match[1], match[2] as string, match[3]);
  const endMs = at(match[4], match[5] as string, match[6]);
  if (endMs - startMs < SCRIPT_LIMITS.minClipRangeMs) {
    return { ok: false, message: `the clip range in ${shown} must end at least 0.1 s after it starts` };
  }
  if (endMs > SCRIPT_LIMITS.maxClipTimeMs) {
    return { ok: false, message: `absurd value in ${shown}: a clip range must end within 6 hours` };
  }
  return { ok: true, value: { startMs, endMs } };
}

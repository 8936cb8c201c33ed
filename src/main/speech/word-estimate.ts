/**
 * Word timings for voices that report none (espeak-ng through its command line, macOS say): estimated
 * inside each sentence's own clip, which is synthesized alone, so its start and end are exact. Within
 * the clip the estimate is anchored on what the audio shows: speech starts at the first loud sound and
 * ends at the last, and the clear pauses in between (a comma, a breath between phrases) are matched to
 * the word gaps they most likely are — punctuation first. Between anchors, time is shared out by how
 * long each word takes to say (its letters and digits). Words come out in order, back to back inside
 * each phrase, never outside the clip.
 */
import type { WordTiming } from './types.ts';

export interface VoiceActivity {
  windowMs: number;
  /** One entry per window: whether it holds speech. */
  voiced: boolean[];
  durationMs: number;
}

const WINDOW_MS = 10;
/** A window is speech when louder than this share of the clip's loudest window (−26 dB)... */
const RELATIVE_THRESHOLD = 0.05;
/** ...and than this absolute level (about −55 dBFS), so a clip of near-silence is not all speech. */
const ABSOLUTE_THRESHOLD = 60;
/** Silences shorter than this are inside words (the closure before "t", "k", "p"), not between them. */
export const MIN_PAUSE_MS = 80;

/** Which 10 ms windows of a mono 16-bit clip hold speech (by RMS level). */
export function voiceActivity(samples: Int16Array, sampleRate: number): VoiceActivity {
  const window = Math.max(1, Math.round((sampleRate * WINDOW_MS) / 1000));
  const levels: number[] = [];
  for (let start = 0; start < samples.length; start += window) {
    const end = Math.min(samples.length, start + window);
    let sum = 0;
    for (let i = start; i < end; i++) sum += (samples[i] as number) ** 2;
    levels.push(Math.sqrt(sum / (end - start)));
  }
  const peak = levels.reduce((max, level) => Math.max(max, level), 0);
  const threshold = Math.max(peak * RELATIVE_THRESHOLD, ABSOLUTE_THRESHOLD);
  return {
    windowMs: (window * 1000) / sampleRate,
    voiced: levels.map((level) => level > threshold),
    durationMs: (samples.length * 1000) / sampleRate,
  };
}

interface Span {
  startMs: number;
  endMs: number;
}

/** Runs of speech, joined across silences shorter than MIN_PAUSE_MS. */
export function speechRuns(activity: VoiceActivity): Span[] {
  const runs: Span[] = [];
  const { windowMs, voiced } = activity;
  voiced.forEach((isVoiced, i) => {
    if (!isVoiced) return;
    const startMs = i * windowMs;
    const endMs = Math.min((i + 1) * windowMs, activity.durationMs);
    const last = runs.at(-1);
    if (last && startMs - last.endMs < MIN_PAUSE_MS) last.endMs = endMs;
    else runs.push({ startMs, endMs });
  });
  return runs;
}

/** How long a written word takes to say, roughly: its letters and digits (a digit is a word itself). */
export function spokenWeight(token: string): number {
  const letters = (token.match(/\p{L}/gu) ?? []).length;
  const digits = (token.match(/\p{N}/gu) ?? []).length;
  // The constant stands for the transition into the word; a bare "&" or "—" still takes a moment.
  return 1 + letters + 3 * digits;
}

/** A written word ending a clause: the voice pauses after it more often than not. */
function endsClause(token: string): boolean {
  return /[,.;:!?…—–-]["'»”’)\]]*$/u.test(token);
}

/** Cost of a pause matched to no word gap: a long pause left unexplained costs more. */
function skipCost(pauseMs: number): number {
  return 0.1 + Math.min(pauseMs, 500) / 2000;
}
const CLAUSE_BONUS = 0.1;

/**
 * Matches pauses to word gaps, in order, at the least total cost: the distance between where a gap
 * falls by the words' weights and where the pause falls in the speech (both as shares of the speaking
 * time), less a bonus at a clause end; a pause may be left unmatched. gapShare[i] is the share of the
 * words before gap i (after token i); pauseShare[p] the share of speaking time before pause p.
 * Returns, per pause, the gap it is matched to or -1.
 */
export function matchPausesToGaps(
  gapShare: readonly number[],
  clauseEnd: readonly boolean[],
  pauseShare: readonly number[],
  pauseMs: readonly number[],
): number[] {
  const gaps = gapShare.length;
  // cost[last + 1]: the cheapest matching of the pauses so far whose last matched gap is `last` (-1: none).
  let cost = Array.from({ length: gaps + 1 }, (_, i) => (i === 0 ? 0 : Number.POSITIVE_INFINITY));
  const from: { skipped: boolean; previous: number }[][] = [];
  pauseShare.forEach((share, p) => {
    const next = cost.map((c) => c + skipCost(pauseMs[p] ?? 0));
    const steps = cost.map((_, i) => ({ skipped: true, previous: i }));
    // The cheapest state before each gap, so matching pause p to gap g looks at states < g + 1.
    let bestBefore = Number.POSITIVE_INFINITY;
    let bestIndex = 0;
    for (let g = 0; g < gaps; g++) {
      if ((cost[g] as number) < bestBefore) {
        bestBefore = cost[g] as number;
        bestIndex = g;
      }
      const matched =
        bestBefore + Math.abs((gapShare[g] as number) - share) - (clauseEnd[g] ? CLAUSE_BONUS : 0);
      if (matched < (next[g + 1] as number)) {
        next[g + 1] = matched;
        steps[g + 1] = { skipped: false, previous: bestIndex };
      }
    }
    cost = next;
    from.push(steps);
  });
  let state = cost.indexOf(Math.min(...cost));
  const matches = pauseShare.map(() => -1);
  for (let p = pauseShare.length - 1; p >= 0; p--) {
    const step = from[p]?.[state] as { skipped: boolean; previous: number };
    if (!step.skipped) matches[p] = state - 1;
    state = step.previous;
  }
  return matches;
}

/** Shares out [startMs, endMs] between tokens by weight, back to back. */
function shareOut(weights: readonly number[], startMs: number, endMs: number): Span[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let before = 0;
  return weights.map((weight) => {
    const from = startMs + ((endMs - startMs) * before) / total;
    before += weight;
    return { startMs: from, endMs: startMs + ((endMs - startMs) * before) / total };
  });
}

/**
 * The timing of each written token (the text split at spaces) inside its clip, in milliseconds from
 * the clip's start.
 */
export function estimateWordTimings(tokens: readonly string[], activity: VoiceActivity): WordTiming[] {
  if (tokens.length === 0) return [];
  const weights = tokens.map(spokenWeight);
  const runs = speechRuns(activity);
  const first = runs[0];
  const last = runs.at(-1);
  if (!first || !last) {
    // Nothing audible: the whole clip is the best guess.
    return shareOut(weights, 0, activity.durationMs).map((span, i) => ({
      text: tokens[i] as string,
      ...span,
    }));
  }
  const speakingMs = runs.reduce((sum, run) => sum + run.endMs - run.startMs, 0);
  const pauses = runs.slice(1).map((run, p) => ({ startMs: (runs[p] as Span).endMs, endMs: run.startMs }));
  let spokenBefore = 0;
  const pauseShare = runs.slice(0, -1).map((run) => {
    spokenBefore += run.endMs - run.startMs;
    return spokenBefore / speakingMs;
  });
  const totalWeight = weights.reduce((sum, w) => sum + w, 0);
  let weightBefore = 0;
  const gapShare = weights.slice(0, -1).map((weight) => {
    weightBefore += weight;
    return weightBefore / totalWeight;
  });
  const matches = matchPausesToGaps(
    gapShare,
    tokens.slice(0, -1).map(endsClause),
    pauseShare,
    pauses.map((pause) => pause.endMs - pause.startMs),
  );

  // Phrases: the tokens between matched gaps, each spoken between the pauses around it.
  const timings: WordTiming[] = [];
  let firstToken = 0;
  let phraseStart = first.startMs;
  const closePhrase = (lastToken: number, endMs: number) => {
    const spans = shareOut(weights.slice(firstToken, lastToken + 1), phraseStart, endMs);
    spans.forEach((span, i) => {
      timings.push({ text: tokens[firstToken + i] as string, ...span });
    });
  };
  matches.forEach((gap, p) => {
    if (gap < 0) return;
    const pause = pauses[p] as Span;
    closePhrase(gap, pause.startMs);
    firstToken = gap + 1;
    phraseStart = pause.endMs;
  });
  closePhrase(tokens.length - 1, last.endMs);
  return timings;
}

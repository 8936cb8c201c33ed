/**
 * Which music plays when: the front matter's `music:` (or the recipe's bundled bed) from the start,
 * changed or stopped by a `[music ...]` direction at the start of its scene. Consecutive scenes with
 * the same music make one span, so the music runs on across their cut instead of starting again.
 * Pure: scene times in, spans out.
 */
import { PLAN_LIMITS } from '../../shared/render-plan.ts';
import type { MediaRef, ScriptDocument } from '../script/types.ts';

export type MusicSource = { kind: 'file'; media: MediaRef } | { kind: 'bed'; name: string };

export interface PlannedSpan {
  source: MusicSource;
  startMs: number;
  durationMs: number;
}

/** The same music: the same checked file, or the same bundled bed. */
export function musicKey(source: MusicSource): string {
  return source.kind === 'file' ? `file:${source.media.path}` : `bed:${source.name}`;
}

export function musicSpans(
  document: Pick<ScriptDocument, 'music' | 'scenes'>,
  defaultBed: string | null,
  sceneTimes: readonly ({ startMs: number; durationMs: number } | undefined)[],
): PlannedSpan[] {
  let current: MusicSource | null =
    document.music?.kind === 'file'
      ? { kind: 'file', media: document.music.media }
      : document.music?.kind === 'off' || defaultBed === null
        ? null
        : { kind: 'bed', name: defaultBed };
  const spans: PlannedSpan[] = [];
  document.scenes.forEach((scene, i) => {
    if (scene.music) current = scene.music.kind === 'off' ? null : { kind: 'file', media: scene.music.media };
    const time = sceneTimes[i];
    if (!current || !time) return;
    const last = spans.at(-1);
    if (
      last &&
      musicKey(last.source) === musicKey(current) &&
      last.startMs + last.durationMs === time.startMs
    ) {
      last.durationMs += time.durationMs;
    } else {
      spans.push({ source: current, startMs: time.startMs, durationMs: time.durationMs });
    }
  });
  return spans;
}

/**
 * Where the music changes once too often for a plan, and what to say there; null within the limit.
 * The span past the limit always starts at a `[music ...]` direction (the front matter's or the bed
 * only ever starts the first).
 */
export function musicChangesProblem(
  spans: readonly PlannedSpan[],
): { at: { line: number; col: number }; message: string } | null {
  const past = spans[PLAN_LIMITS.maxMusicSpans];
  if (!past) return null;
  return {
    at: past.source.kind === 'file' ? past.source.media : { line: 1, col: 1 },
    message: `the music changes ${spans.length} times; the limit is ${PLAN_LIMITS.maxMusicSpans}`,
  };
}

/**
 * The spans before anything is spoken (the check): every scene that says or pauses anything counted
 * as if it lasted a moment, as the narration will make it last; the plan counts again with real times.
 */
export function expectedMusicSpans(
  document: Pick<ScriptDocument, 'music' | 'scenes'>,
  defaultBed: string | null,
): PlannedSpan[] {
  let clock = 0;
  const times = document.scenes.map((scene) => {
    if (scene.items.length === 0) return undefined;
    clock += 1;
    return { startMs: clock - 1, durationMs: 1 };
  });
  return musicSpans(document, defaultBed, times);
}

/**
 * What a video preset asks of a plan beyond its encoding: how scenes give way to each other (the
 * script's front matter first, then the preset) and how long the video may be.
 */
import { parseTransition, type TimedTransition } from '../../shared/transition.ts';
import { StepError } from '../engine/errors.ts';
import type { VideoSettings } from '../engine/job-settings.ts';
import type { ScriptDocument } from '../script/types.ts';

/** The plan's transition; undefined for cuts. The front matter was checked where it was written. */
export function planTransition(document: ScriptDocument, video: VideoSettings): TimedTransition | undefined {
  const text = document.meta.transition ?? video.transition ?? 'cut';
  const parsed = parseTransition(text);
  if (!parsed.ok) {
    const where = document.meta.transition ? 'the script’s transition' : `video preset "${video.slug}"`;
    throw new StepError('invalid-input', `${where}: ${parsed.message}`);
  }
  return parsed.transition.kind === 'cut' ? undefined : parsed.transition;
}

/** Seconds as people read them: whole when whole, else to a tenth. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** Fails for good (a bad input, not a flaky tool) when the narration is longer than the preset allows. */
export function checkMaxDuration(durationMs: number, video: VideoSettings): void {
  const max = video.maxDurationSeconds;
  if (max === null || max === undefined || durationMs <= max * 1000) return;
  throw new StepError(
    'invalid-input',
    `the narration is ${seconds(durationMs)} long; the video preset "${video.slug}" allows at most ${max} s`,
  );
}

/**
 * SubRip captions: one numbered entry per cue, times as HH:MM:SS,mmm. Players (and ffmpeg's SRT
 * decoder) read "<b>"-like tags and "{\..}" blocks as formatting and hide them, and ffmpeg reads "\N"
 * as a line break; an invisible WORD JOINER (U+2060) after "<", "{" or "\" keeps such script text
 * visible as written. (Through ffmpeg/libass a "{...}" still hides: burn in the ASS file, not this one.)
 */
import type { CaptionCue } from './types.ts';
import { singleLine } from './wrap.ts';

const WORD_JOINER = '\u2060';

export function formatSrtTime(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor(total / 60_000) % 60;
  const seconds = Math.floor(total / 1000) % 60;
  const millis = total % 1000;
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)},${pad(millis, 3)}`;
}

/** Text shown as written: no tag or override block is recognised, and no blank line ends the entry early. */
export function srtText(text: string): string {
  return singleLine(text)
    .replace(/<(?=[A-Za-z/!])/g, `<${WORD_JOINER}`)
    .replace(/\{(?=\\)/g, `{${WORD_JOINER}`)
    .replace(/\\/g, `\\${WORD_JOINER}`);
}

/**
 * Every entry, the last one included, ends with a blank line: readers that count an entry only once a
 * blank line follows it (MoviePy's, among others) would otherwise drop the last cue.
 */
export function buildSrt(cues: CaptionCue[]): string {
  const entries: string[] = [];
  for (const cue of cues) {
    const text = srtText(cue.text);
    // An entry without text or time would end the file for many parsers.
    if (text === '' || Math.round(cue.endMs) <= Math.round(cue.startMs)) continue;
    entries.push(
      `${entries.length + 1}\n${formatSrtTime(cue.startMs)} --> ${formatSrtTime(cue.endMs)}\n${text}\n\n`,
    );
  }
  return entries.join('');
}

export { type AssInput, buildAss, escapeAssText, formatAssTime } from './ass.ts';
export { CaptionError, type CaptionErrorKind } from './errors.ts';
export { applyCase, assColour, type Canvas, type ResolvedLook, resolveLook } from './look.ts';
export { buildSrt, formatSrtTime, srtText } from './srt.ts';
export type { CaptionCue, TimedWord } from './types.ts';
export { alignWords, matchKey, type WordSpan } from './word-align.ts';
export { captionPages, pageTimes, wrapWords } from './wrap.ts';

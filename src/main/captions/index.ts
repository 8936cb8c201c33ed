export { type AssStyle, buildAss, escapeAssText, formatAssTime } from './ass.ts';
export { CaptionError, type CaptionErrorKind } from './errors.ts';
export { buildSrt, formatSrtTime, srtText } from './srt.ts';
export type { CaptionCue } from './types.ts';
export { captionPages, pageTimes, wrapWords } from './wrap.ts';

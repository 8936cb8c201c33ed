import { MEDIA_EXTENSIONS } from '../../shared/contract.ts';

/**
 * Upper bounds that keep a hostile or broken script from costing unbounded memory, time or output.
 * They are far above anything a real narration needs.
 */
export const SCRIPT_LIMITS = {
  /** Default largest script file accepted; checked with stat before reading. */
  maxBytes: 2 * 1024 * 1024,
  /** Longest single line (in UTF-16 code units) that is scanned. */
  maxLineLength: 20_000,
  maxScenes: 2_000,
  /** Diagnostics kept; the rest are summarised in one "N more problems" entry. */
  maxDiagnostics: 200,
  /** A sentence longer than this is split so its caption cue fits two lines. */
  maxCueChars: 110,
  minPauseMs: 1,
  maxPauseMs: 10_000,
  minStyleDegree: 0.01,
  maxStyleDegree: 2,
  minRatePercent: -50,
  maxRatePercent: 100,
  maxPitchPercent: 50,
  maxPitchSemitones: 12,
  maxTitleLength: 500,
  /** A clip's range: at least a tenth of a second, ending within six hours. */
  minClipRangeMs: 100,
  maxClipTimeMs: 6 * 60 * 60 * 1000,
} as const;

export const SCRIPT_EXTENSIONS = ['.md', '.markdown', '.txt'] as const;
export const IMAGE_EXTENSIONS = MEDIA_EXTENSIONS.image;
export const CLIP_EXTENSIONS = MEDIA_EXTENSIONS.clip;
export const MUSIC_EXTENSIONS = MEDIA_EXTENSIONS.music;

/** Slug of a voice preset or voice name, as written in `[voice ...]` or front matter. */
export { STYLE_NAME_PATTERN, VOICE_SLUG_PATTERN } from '../../shared/presets.ts';

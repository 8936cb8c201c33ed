/**
 * The parsed form of a script: what the validator produces and every later step consumes
 * (SSML builder, speech synthesis, captions, RenderPlan builder). Plain data, JSON-serialisable,
 * so it can be stored as a step artifact and hashed.
 */

import type { Diagnostic } from '../../shared/contract.ts';

// A located problem, printed as `file:line:col: severity: message` (1-based lines and columns): one
// shape everywhere — the parser's, the CLI's and the UI's.
export type { Diagnostic };

export interface ScriptMeta {
  title?: string;
  /** A line under the title on the title card and the thumbnail. */
  subtitle?: string;
  /** The thumbnail image as written; the parsed document carries it, checked, as `thumbnail`. */
  thumbnail?: string;
  /** Recipe slug requested by the script's front matter. */
  recipe?: string;
  /** Voice preset slug requested by the script's front matter. */
  voice?: string;
  /** BCP-47 language, e.g. en-US; chooses the built-in direction vocabulary when the preset has none. */
  language?: string;
  /** The music bed as written (a path, or "off"); the parsed document carries it as `music`. */
  music?: string;
  /** How scenes give way to each other ("cut", "crossfade 800ms", "fade 0.5s"); else the video preset's. */
  transition?: string;
}

/** Prosody values in SSML form: rate like "+10%" / "-20%", pitch like "+5%" / "-2st". */
export interface Prosody {
  rate?: string;
  pitch?: string;
}

export interface SpeakingStyle {
  /** Azure style name, e.g. "cheerful". */
  name: string;
  /** Azure styledegree, 0.01..2. */
  degree?: number;
}

/** One spoken sentence (or short line): the unit of synthesis and of one caption cue. */
export interface Utterance {
  kind: 'speech';
  /** Plain text exactly as it must be spoken and shown; never contains markup. */
  text: string;
  /** Voice preset slug or voice name switched to by a [voice ...] direction; undefined = the job's voice. */
  voice?: string;
  /** Where that direction stands: a voice that cannot speak is said there (absent in older parses). */
  voiceAt?: { line: number; col: number };
  style?: SpeakingStyle;
  prosody: Prosody;
  line: number;
  col: number;
}

export interface Silence {
  kind: 'pause';
  ms: number;
  line: number;
  col: number;
}

export type SceneItem = Utterance | Silence;

/**
 * A media file a script names: the path as written (errors quote it, never the resolved one), where,
 * and the real path it was checked at, which is the only path later read (after checking it again).
 */
export interface MediaRef {
  written: string;
  path: string;
  line: number;
  col: number;
}

/** A video for a scene, optionally only a part of it (milliseconds into the file). */
export interface ClipRef extends MediaRef {
  range?: { startMs: number; endMs: number };
}

/** Where the music changes: a file from here on, or none. */
export type MusicCue = { kind: 'file'; media: MediaRef } | { kind: 'off'; line: number; col: number };

export interface Scene {
  /** 0-based position in the script. */
  index: number;
  /** Heading text, or the script title for text before the first heading. */
  title: string;
  line: number;
  /** The picture named by an [image ...] direction. */
  image?: MediaRef;
  /** The video named by a [clip ...] direction (a scene shows an image or a clip, the last named). */
  clip?: ClipRef;
  /** A [music ...] direction: the music changes at the start of this scene. */
  music?: MusicCue;
  items: SceneItem[];
}

/** Every media file a script names, where, and whether it was found (the import preview lists them). */
export interface MediaUse {
  kind: 'image' | 'clip' | 'music';
  /** As written. */
  path: string;
  line: number;
  col: number;
  found: boolean;
}

export interface ScriptDocument {
  file: string;
  meta: ScriptMeta;
  /** The front matter's `music:` (a file or "off"); absent: the recipe's default bed, if any. */
  music?: MusicCue;
  /** The front matter's `thumbnail:` image, checked like every media path. */
  thumbnail?: MediaRef;
  scenes: Scene[];
  warnings: Diagnostic[];
  /** Every media file the script names (absent in documents parsed before media were listed). */
  media?: MediaUse[];
}

export type ParseResult =
  | { ok: true; document: ScriptDocument }
  | { ok: false; diagnostics: Diagnostic[]; media: MediaUse[] };

/**
 * Config-first stage-direction vocabulary, stored on the voice preset (direction_map column).
 * Keys are the words a writer types inside brackets (lower case, any language); values say what they mean.
 */
export type DirectionSpec =
  | { kind: 'pause'; defaultMs: number }
  /** A fixed style, e.g. "cheerful" → { style: 'cheerful' }; an optional number after it is the degree. */
  | { kind: 'style'; style: string }
  /** "[style NAME [DEGREE]]": the style named in the direction. */
  | { kind: 'style-named' }
  /** Back to the preset's own style. */
  | { kind: 'style-reset' }
  /** A fixed prosody change, e.g. "slow" → { rate: '-20%' }. */
  | { kind: 'prosody'; rate?: string; pitch?: string }
  /** "[rate +10%]" / "[pitch -5%]": the value written in the direction. */
  | { kind: 'rate' }
  | { kind: 'pitch' }
  /** "[voice SLUG]": switch voice until the next [voice] or the end of the scene. */
  | { kind: 'voice' }
  /** "[image PATH]": the scene's visual. */
  | { kind: 'image' }
  /** "[clip PATH]" or "[clip PATH 12s-20s]": a video as the scene's visual, muted, looped or cut to it. */
  | { kind: 'clip' }
  /** "[music PATH]" or "[music OFF]": the music from this scene on; `off` is this language's word for none. */
  | { kind: 'music'; off?: string };

export type DirectionMap = Record<string, DirectionSpec>;

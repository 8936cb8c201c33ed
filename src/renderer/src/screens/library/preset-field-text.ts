/**
 * Labels and hints of the preset forms' fields, by field path (data, not a form per preset). A field
 * that is not here still shows: its label comes from its name and its hint from its kind.
 */
export interface FieldText {
  label?: string;
  /** Replaces the hint the field's kind gives (e.g. "empty for none"); '' for no hint. */
  hint?: string;
}

export const PRESET_FIELD_TEXT: Readonly<Record<string, FieldText>> = {
  encoders: { hint: 'in order of preference, comma-separated' },
  fps: { label: 'Frames per second' },
  bitrate: { hint: 'e.g. "8M"' },
  crf: { label: 'CRF', hint: '0..51, lower is better; empty for none' },
  speedPreset: { hint: 'e.g. "veryfast"; empty for none' },
  audioBitrate: { hint: 'e.g. "160k"' },
  'loudness.targetLufs': { label: 'Loudness target (LUFS)', hint: 'integrated; YouTube plays at -14' },
  'loudness.truePeakDbtp': { label: 'True-peak ceiling (dBTP)', hint: 'e.g. -1' },
  'music.levelDb': { label: 'Music level (dB)', hint: 'the bed against the voice, where nobody speaks' },
  'music.duckDb': { label: 'Music ducking depth (dB)', hint: 'how far the bed drops under speech' },
  'music.attackMs': { label: 'Ducking attack (ms)' },
  'music.releaseMs': { label: 'Ducking release (ms)' },
  'music.fadeInMs': { label: 'Music fade-in (ms)' },
  'music.fadeOutMs': { label: 'Music fade-out (ms)' },
  voiceNames: { label: 'Voices', hint: 'one “synthesizer = voice” per line, e.g. espeak-ng = en-us' },
  language: { hint: 'e.g. "en-US"' },
  'prosody.rate': { hint: 'e.g. "+10%"' },
  'prosody.pitch': { hint: 'e.g. "+5%" or "-2st"' },
  directionMap: { label: 'Stage directions (JSON)', hint: '' },
  captionStyle: { hint: 'a caption style’s slug, e.g. "bold-highlight"; empty for "clean"' },
  transition: { hint: '"cut", "crossfade 800ms" or "fade 0.5s"; empty for cut' },
  maxDurationSeconds: { label: 'Longest video (s)', hint: 'e.g. 60 for Shorts; empty for no limit' },
  // Caption styles
  font: { hint: 'bundled with the app' },
  size: { label: 'Text size', hint: 'pixels on a 1080p video (the shorter side); scaled to each video' },
  textColour: { hint: '#RRGGBB, or #RRGGBBAA with an opacity' },
  outlineColour: { hint: '#RRGGBB, or #RRGGBBAA with an opacity' },
  outline: { label: 'Outline width', hint: 'pixels at 1080p; 0 for none' },
  shadowColour: { hint: '#RRGGBB, or #RRGGBBAA with an opacity' },
  shadow: { label: 'Shadow offset', hint: 'pixels at 1080p; 0 for none' },
  margin: { hint: 'from the top or bottom edge, in % of the height' },
  maxLines: { label: 'Lines at most' },
  textCase: { label: 'Case' },
  wordHighlight: { hint: 'lights words up as they are spoken' },
  highlightColour: { hint: 'the colour of lit words' },
};

/** The slug names the preset being edited; it is not changed here. */
export const PRESET_KEPT_FIELDS = ['slug'] as const;

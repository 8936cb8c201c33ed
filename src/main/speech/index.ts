export { SpeechError, type SpeechErrorKind } from './errors.ts';
export { createEspeakSynthesizer, type EspeakOptions } from './espeak.ts';
export { type Narration, type NarrationInput, type SceneTiming, synthesizeNarration } from './narration.ts';
export { createOfflineSynthesizer, type OfflineSynthesizerOptions } from './offline.ts';
export { pitchSemitones, rateMultiplier } from './prosody.ts';
export { createSaySynthesizer, type SayOptions } from './say.ts';
export type { SpeechRequest, SpeechResult, SpeechSynthesizer, VoiceInfo, WordTiming } from './types.ts';
export {
  type ConcatenatedWav,
  concatenateWav,
  convertWav,
  framesForMs,
  msForFrames,
  NARRATION_FORMAT,
  readWavHeader,
  type WavFormat,
  type WavHeader,
  type WavPart,
  wavDurationMs,
} from './wav.ts';

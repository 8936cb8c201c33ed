/**
 * The narrow text-to-speech port the narration builder needs. Offline engines (espeak-ng, macOS `say`)
 * implement it today; a cloud engine (Azure) can implement it later and also report word timings.
 */

export interface SpeechRequest {
  /** Plain text, spoken literally: adapters neutralise anything their engine would treat as markup. */
  text: string;
  /** Engine-specific voice name, e.g. "en-us+f3" (espeak-ng) or "Samantha" (say). */
  voice: string;
  /** SSML-style relative rate, e.g. "+10%" or "-20%". */
  rate?: string;
  /** SSML-style relative pitch, e.g. "+5%" or "-2st". */
  pitch?: string;
}

/** A word's position in the synthesized audio, for engines that report it. */
export interface WordTiming {
  text: string;
  startMs: number;
  endMs: number;
}

export interface SpeechResult {
  /** Present only when the engine reports word boundaries (offline engines do not). */
  words?: WordTiming[];
}

export interface VoiceInfo {
  /** The value to pass as SpeechRequest.voice. */
  name: string;
  /** Language tag as the engine reports it, with "_" turned into "-" (e.g. "en-us", "en-GB"). */
  language: string;
}

export interface SpeechSynthesizer {
  /** 'espeak-ng' | 'say' | later 'azure'. */
  readonly id: string;
  /** Part of the step input hash: a new engine version re-synthesizes. */
  version(): Promise<string>;
  /** True when the engine can run on this machine; never throws. */
  available(): Promise<boolean>;
  voices(): Promise<VoiceInfo[]>;
  /**
   * Why a script's `[voice NAME]` cannot be spoken by this engine, asked before any job exists (the
   * message synthesis would fail with); undefined when it can, or when only speaking it can tell.
   */
  voiceProblem(voice: string): Promise<string | undefined>;
  /**
   * Writes a PCM s16le mono WAV to outPath. The file appears only when complete (written atomically).
   * Rejects with SpeechError for engine problems and with the signal's reason when aborted.
   */
  synthesizeToWav(request: SpeechRequest, outPath: string, signal?: AbortSignal): Promise<SpeechResult>;
}

/** One caption: exactly the span of one synthesized utterance in the narration. */
export interface CaptionCue {
  /** 0-based position among all cues of the narration. */
  index: number;
  /** Scene.index of the scene the utterance belongs to. */
  sceneIndex: number;
  /** The utterance text, exactly as written in the script. */
  text: string;
  startMs: number;
  endMs: number;
}

/**
 * When one word is heard in the narration (whole milliseconds, narration time), and the cue it belongs
 * to. Azure reports words as the voice said them ("Doctor" for "Dr."); the offline voice's are estimated
 * per written word (see speech/word-estimate.ts).
 */
export interface TimedWord {
  text: string;
  startMs: number;
  endMs: number;
  cueIndex: number;
}

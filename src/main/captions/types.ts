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

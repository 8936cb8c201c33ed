import { type DiagnosticCollector, shorten } from './diagnostics.ts';
import { type DirectionAction, type DirectionVocabulary, interpretDirection } from './directions.ts';
import { SCRIPT_LIMITS } from './limits.ts';
import type { LineText } from './line-text.ts';
import {
  CLIP_MEDIA,
  IMAGE_MEDIA,
  type MediaKind,
  type MediaPlaces,
  MUSIC_MEDIA,
  resolveMediaPath,
} from './media-path.ts';
import { splitIntoCues } from './sentences.ts';
import type { MediaRef, MediaUse, MusicCue, Prosody, Scene, SpeakingStyle, Utterance } from './types.ts';

const KINDS: Record<MediaUse['kind'], MediaKind> = {
  image: IMAGE_MEDIA,
  clip: CLIP_MEDIA,
  music: MUSIC_MEDIA,
};

/** Delivery settings set by directions; they apply from their position to the end of the scene. */
interface Delivery {
  style?: SpeakingStyle;
  prosody: Prosody;
  voice?: string;
  /** Where the [voice] direction in force stands. */
  voiceAt?: { line: number; col: number };
}

/**
 * Accumulates scenes while the parser walks the lines: paragraph text is buffered with positions
 * and turned into utterances whenever the delivery changes, a paragraph ends or a scene ends.
 */
export class SceneBuilder {
  readonly scenes: Scene[] = [];
  /** Every media file named, found or not, in the order written. */
  readonly media: MediaUse[] = [];
  /** Set once the scene limit is hit: the parser stops rather than doing unbounded work. */
  stopped = false;
  private readonly diagnostics: DiagnosticCollector;
  private readonly vocabulary: DirectionVocabulary;
  private readonly places: MediaPlaces;
  private readonly introTitle: string;
  private current: Scene | undefined;
  private delivery: Delivery = { prosody: {} };
  private paragraph = emptyParagraph();

  constructor(
    diagnostics: DiagnosticCollector,
    vocabulary: DirectionVocabulary,
    media: MediaPlaces,
    introTitle: string,
  ) {
    this.diagnostics = diagnostics;
    this.vocabulary = vocabulary;
    this.places = media;
    this.introTitle = introTitle;
  }

  startScene(title: string, line: number): void {
    this.finishScene();
    if (this.scenes.length >= SCRIPT_LIMITS.maxScenes) {
      this.diagnostics.error(line, 1, `too many scenes; the limit is ${SCRIPT_LIMITS.maxScenes}`);
      this.stopped = true;
      return;
    }
    this.current = { index: this.scenes.length, title, line, items: [] };
    this.scenes.push(this.current);
  }

  addText(text: LineText, line: number): void {
    const paragraph = this.paragraph;
    if (paragraph.chunks.length > 0 && paragraph.lines[paragraph.lines.length - 1] !== line) {
      // Lines of one paragraph are joined by a space, as markdown renders them.
      paragraph.chunks.push(' ');
      paragraph.lines.push(line);
      paragraph.cols.push(0);
    }
    paragraph.chunks.push(text.text);
    for (const col of text.cols) {
      paragraph.lines.push(line);
      paragraph.cols.push(col);
    }
  }

  endParagraph(): void {
    const { chunks, lines, cols } = this.paragraph;
    if (chunks.length === 0) return;
    const scene = this.sceneFor(lines[0] as number);
    for (const cue of splitIntoCues({ text: chunks.join(''), lines, cols })) {
      scene.items.push(this.utterance(cue.text, cue.line, cue.col));
    }
    this.paragraph = emptyParagraph();
  }

  applyDirection(content: string, line: number, col: number): void {
    const outcome = interpretDirection(content, this.vocabulary);
    if (!outcome.ok) {
      this.diagnostics.error(line, col, outcome.message);
      return;
    }
    const action = outcome.action;
    // Pictures and music do not change how anything sounds, so they must not split a sentence in two.
    if (action.kind !== 'image' && action.kind !== 'clip' && action.kind !== 'music') this.endParagraph();
    this.apply(action, line, col);
  }

  /**
   * The file a script names, checked where media may come from; recorded for the import preview,
   * and reported at its place when it is not found. Undefined when refused.
   */
  resolveMedia(kind: MediaUse['kind'], written: string, line: number, col: number): MediaRef | undefined {
    const resolved = resolveMediaPath(written, this.places, KINDS[kind]);
    this.media.push({ kind, path: written, line, col, found: resolved.ok });
    if (!resolved.ok) {
      this.diagnostics.error(line, col, resolved.message);
      return undefined;
    }
    return { written, path: resolved.path, line, col };
  }

  /** Ends the last scene and returns all of them. */
  finish(): Scene[] {
    this.finishScene();
    return this.scenes;
  }

  private apply(action: DirectionAction, line: number, col: number): void {
    switch (action.kind) {
      case 'pause':
        this.sceneFor(line).items.push({ kind: 'pause', ms: action.ms, line, col });
        return;
      case 'style':
        this.delivery.style = action.style;
        return;
      case 'prosody': {
        const prosody = { ...this.delivery.prosody };
        if (action.rate === null) delete prosody.rate;
        else if (action.rate !== undefined) prosody.rate = action.rate;
        if (action.pitch === null) delete prosody.pitch;
        else if (action.pitch !== undefined) prosody.pitch = action.pitch;
        this.delivery.prosody = prosody;
        return;
      }
      case 'voice':
        this.delivery.voice = action.voice;
        this.delivery.voiceAt = { line, col };
        return;
      case 'image':
      case 'clip': {
        const scene = this.sceneFor(line);
        const media = this.resolveMedia(action.kind, action.path, line, col);
        if (!media) return;
        const shown = scene.clip ? 'a clip' : scene.image ? 'an image' : null;
        if (shown) {
          this.diagnostics.warning(
            line,
            col,
            `scene "${shorten(scene.title)}" already has ${shown}; the last one wins`,
          );
        }
        delete scene.image;
        delete scene.clip;
        if (action.kind === 'image') scene.image = media;
        else scene.clip = action.range ? { ...media, range: action.range } : media;
        return;
      }
      case 'music':
        this.setMusic(action.path, line, col);
        return;
    }
  }

  private setMusic(written: string | null, line: number, col: number): void {
    const scene = this.sceneFor(line);
    let cue: MusicCue;
    if (written === null) cue = { kind: 'off', line, col };
    else {
      const media = this.resolveMedia('music', written, line, col);
      if (!media) return;
      cue = { kind: 'file', media };
    }
    if (scene.music !== undefined) {
      this.diagnostics.warning(
        line,
        col,
        `scene "${shorten(scene.title)}" already changes the music; the last one wins`,
      );
    }
    scene.music = cue;
  }

  private utterance(text: string, line: number, col: number): Utterance {
    const utterance: Utterance = { kind: 'speech', text, prosody: { ...this.delivery.prosody }, line, col };
    if (this.delivery.voice !== undefined) {
      utterance.voice = this.delivery.voice;
      if (this.delivery.voiceAt) utterance.voiceAt = { ...this.delivery.voiceAt };
    }
    if (this.delivery.style !== undefined) utterance.style = { ...this.delivery.style };
    return utterance;
  }

  /** The scene being filled; text before the first heading opens the untitled intro scene. */
  private sceneFor(line: number): Scene {
    if (!this.current) {
      this.current = { index: 0, title: this.introTitle, line, items: [] };
      this.scenes.push(this.current);
    }
    return this.current;
  }

  private finishScene(): void {
    this.endParagraph();
    const scene = this.current;
    if (scene && !scene.items.some((item) => item.kind === 'speech')) {
      this.diagnostics.warning(scene.line, 1, `scene "${shorten(scene.title)}" has no spoken text`);
    }
    this.current = undefined;
    this.delivery = { prosody: {} };
  }
}

/** Paragraph text as chunks (joined once at the end) with a source position per character. */
function emptyParagraph(): { chunks: string[]; lines: number[]; cols: number[] } {
  return { chunks: [], lines: [], cols: [] };
}

/**
 * Splits a script into synthesis requests Azure accepts: never across a scene (so scene gaps can be
 * inserted exactly), and inside a scene only between utterances, each request's SSML within a size
 * and a <voice>-count limit. Every chunk also knows which part of its SSML each item produced, so the
 * word boundaries the service reports can be traced back to the utterance they belong to.
 */
import { buildSsml, type SsmlVoice } from '../../script/ssml.ts';
import type { Scene, SceneItem, Utterance } from '../../script/types.ts';

export interface ChunkOptions {
  voice: SsmlVoice;
  resolveVoiceName?: ((slug: string) => string) | undefined;
  /** Largest SSML per request in characters; a single longer utterance is still sent on its own. */
  maxChunkChars: number;
  /** Azure allows at most 50 <voice> elements per request. */
  maxVoiceElements: number;
}

export interface ItemSpan {
  item: SceneItem;
  /** Where the item's markup starts and ends in the chunk's SSML. */
  start: number;
  end: number;
}

export interface SsmlChunk {
  sceneIndex: number;
  ssml: string;
  spans: ItemSpan[];
}

const CLOSING = '</voice></speak>';

function ssmlOf(items: SceneItem[], options: ChunkOptions): string {
  const { voice, resolveVoiceName } = options;
  return buildSsml(resolveVoiceName ? { items, voice, resolveVoiceName } : { items, voice });
}

function voiceElements(ssml: string): number {
  return ssml.match(/<voice[\s>]/g)?.length ?? 0;
}

/**
 * buildSsml emits items one after another and then closes the open voice and the document, so the
 * SSML of the first i items, without that closing, is a prefix of the whole; its length is where item
 * i ends (and item 0 starts right after <speak ...>, whose attribute values escape ">"). The prefix
 * property is checked rather than assumed, so a change to buildSsml fails loudly here.
 */
function itemSpans(items: SceneItem[], ssml: string, options: ChunkOptions): ItemSpan[] {
  const endOfFirst = (count: number): number => {
    if (count === items.length) return ssml.length - CLOSING.length;
    const partial = ssmlOf(items.slice(0, count), options);
    const body = partial.slice(0, -CLOSING.length);
    if (!partial.endsWith(CLOSING) || !ssml.startsWith(body)) {
      throw new Error('buildSsml no longer builds SSML item by item; the word mapping needs updating');
    }
    return body.length;
  };
  const spans: ItemSpan[] = [];
  let start = ssml.indexOf('>') + 1;
  items.forEach((item, i) => {
    const end = endOfFirst(i + 1);
    spans.push({ item, start, end });
    start = end;
  });
  return spans;
}

function isSpoken(item: SceneItem): boolean {
  return item.kind === 'pause' || item.text.trim() !== '';
}

/**
 * Pauses a request may hold: they cost no characters, and 2,000 `[pause 10s]` after one sentence
 * made one request of 5.5 hours of audio (3 GB of memory, and a deadline of as long).
 */
const MAX_PAUSE_MS_PER_CHUNK = 60_000;

function pauseMsOf(items: SceneItem[]): number {
  return items.reduce((sum, item) => sum + (item.kind === 'pause' ? item.ms : 0), 0);
}

function tooBig(items: SceneItem[], options: ChunkOptions): boolean {
  if (pauseMsOf(items) > MAX_PAUSE_MS_PER_CHUNK) return true;
  const ssml = ssmlOf(items, options);
  return ssml.length > options.maxChunkChars || voiceElements(ssml) > options.maxVoiceElements;
}

/**
 * Chunks of one scene; none when the scene has nothing to say. Pauses stay with the speech before
 * them, as far as a request may hold them; past that they are requests of their own (silence).
 */
export function chunkScene(scene: Scene, options: ChunkOptions): SsmlChunk[] {
  const spoken = scene.items.filter(isSpoken);
  if (!spoken.some((item) => item.kind === 'speech')) return [];
  const groups: SceneItem[][] = [];
  let current: SceneItem[] = [];
  for (const item of spoken) {
    const hasSpeech = current.some((it) => it.kind === 'speech');
    // A pause before the first speech waits for it, unless there are more than a request may hold.
    const split = item.kind === 'speech' ? hasSpeech : hasSpeech || pauseMsOf(current) > 0;
    if (split && tooBig([...current, item], options)) {
      groups.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) groups.push(current);
  return groups.map((items) => {
    const ssml = ssmlOf(items, options);
    return { sceneIndex: scene.index, ssml, spans: itemSpans(items, ssml, options) };
  });
}

export function utterancesOf(chunk: SsmlChunk): Utterance[] {
  return chunk.spans.flatMap(({ item }) => (item.kind === 'speech' ? [item] : []));
}

import { describe, expect, it } from 'vitest';
import { escapeXml } from '../../script/ssml.ts';
import type { Scene, SceneItem, Utterance } from '../../script/types.ts';
import { chunkScene, utterancesOf } from './chunks.ts';
import { locateWords, wordOwners } from './word-owners.ts';

const voice = { name: 'en-US-JennyNeural', language: 'en-US', style: 'calm', prosody: { rate: '-5%' } };

function say(text: string, extra: Partial<Utterance> = {}): Utterance {
  return { kind: 'speech', text, prosody: {}, line: 1, col: 1, ...extra };
}

function scene(items: SceneItem[], index = 0): Scene {
  return { index, title: `Scene ${index}`, line: 1, items };
}

function word(text: string, startMs = 0): { text: string; startMs: number; endMs: number } {
  return { text, startMs, endMs: startMs + 10 };
}

describe('chunkScene', () => {
  it('keeps a small scene in one request whose spans cover each item in order', () => {
    const items: SceneItem[] = [
      say('Hello & welcome.'),
      { kind: 'pause', ms: 700, line: 1, col: 1 },
      say('Hola, "amigo".', { voice: 'es-ES-ElviraNeural' }),
      say('Back <home>.', { style: { name: 'cheerful', degree: 1.5 }, prosody: { pitch: '+5%' } }),
    ];
    const [chunk, ...rest] = chunkScene(scene(items), { voice, maxChunkChars: 4000, maxVoiceElements: 50 });
    expect(rest).toEqual([]);
    if (!chunk) throw new Error('no chunk');
    expect(chunk.spans.map((s) => s.item)).toEqual(items);
    let previousEnd = chunk.ssml.indexOf('>') + 1;
    for (const span of chunk.spans) {
      expect(span.start).toBe(previousEnd);
      previousEnd = span.end;
      const markup = chunk.ssml.slice(span.start, span.end);
      if (span.item.kind === 'speech') expect(markup).toContain(escapeXml(span.item.text));
      else expect(markup).toBe('<break time="700ms"/>');
    }
    expect(chunk.ssml.slice(previousEnd)).toBe('</voice></speak>');
  });

  // Found by attacking the speech path: 2,000 [pause 10s] after one sentence made one request of
  // 46 KB and 5.5 hours of audio; the service's answer took 3 GB of memory.
  it('holds at most a minute of pauses per request, keeping every pause in order', () => {
    const pause = (ms: number): SceneItem => ({ kind: 'pause', ms, line: 1, col: 1 });
    const items: SceneItem[] = [
      ...Array.from({ length: 30 }, () => pause(5000)),
      say('Start here.'),
      ...Array.from({ length: 2000 }, () => pause(10_000)),
      say('End here.'),
      pause(700),
    ];
    const chunks = chunkScene(scene(items), { voice, maxChunkChars: 4000, maxVoiceElements: 50 });
    const pausesOf = (chunk: (typeof chunks)[number]) =>
      chunk.spans.reduce((sum, { item }) => sum + (item.kind === 'pause' ? item.ms : 0), 0);
    for (const chunk of chunks) {
      expect(pausesOf(chunk)).toBeLessThanOrEqual(60_000);
      expect(chunk.ssml.length).toBeLessThanOrEqual(4000);
    }
    expect(chunks.flatMap((c) => c.spans.map((span) => span.item))).toEqual(items);
    expect(chunks.length).toBeGreaterThan(20_000_000 / 60_000);
    // The leading pauses: 150 s, so two requests of silence before the one the first sentence opens.
    expect(chunks.slice(0, 3).map((c) => utterancesOf(c).map((u) => u.text))).toEqual([
      [],
      [],
      ['Start here.'],
    ]);
  });

  it('splits between sentences to stay within the size limit, never inside one', () => {
    const sentences = Array.from({ length: 12 }, (_, i) =>
      say(`Sentence number ${i} has a few words in it.`),
    );
    const chunks = chunkScene(scene(sentences), { voice, maxChunkChars: 600, maxVoiceElements: 50 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.ssml.length).toBeLessThanOrEqual(600);
    expect(chunks.flatMap(utterancesOf)).toEqual(sentences);
  });

  it('sends a single sentence longer than the limit on its own', () => {
    const long = say('word '.repeat(300).trim());
    const chunks = chunkScene(scene([say('Short.'), long, say('After.')]), {
      voice,
      maxChunkChars: 400,
      maxVoiceElements: 50,
    });
    expect(chunks.map((c) => utterancesOf(c).map((u) => u.text.slice(0, 6)))).toEqual([
      ['Short.'],
      ['word w'],
      ['After.'],
    ]);
  });

  it('keeps at most maxVoiceElements <voice> elements per request', () => {
    const alternating = Array.from({ length: 9 }, (_, i) =>
      say(`Line ${i}.`, i % 2 ? { voice: 'other' } : {}),
    );
    const chunks = chunkScene(scene(alternating), { voice, maxChunkChars: 100_000, maxVoiceElements: 4 });
    for (const chunk of chunks) expect(chunk.ssml.match(/<voice /g)?.length).toBeLessThanOrEqual(4);
    expect(chunks.flatMap(utterancesOf)).toEqual(alternating);
  });

  it('makes no request for a scene with nothing to say, and keeps trailing pauses with the speech', () => {
    const pause: SceneItem = { kind: 'pause', ms: 500, line: 1, col: 1 };
    expect(
      chunkScene(scene([pause, say('  ')]), { voice, maxChunkChars: 4000, maxVoiceElements: 50 }),
    ).toEqual([]);
    const [chunk] = chunkScene(scene([say('One.'), pause]), {
      voice,
      maxChunkChars: 4000,
      maxVoiceElements: 50,
    });
    expect(chunk?.ssml).toContain('One.</prosody></mstts:express-as><break time="500ms"/></voice>');
  });
});

describe('word owners', () => {
  it('finds words as written or as escaped, never inside markup', () => {
    const ssml =
      '<speak><voice name="Tom"><prosody rate="fast">Tom &amp; Jerry say &quot;fast&quot; it&apos;s</prosody></voice></speak>';
    const offsets = locateWords(ssml, [
      word('Tom'),
      word('&'),
      word('Jerry'),
      word('"fast"'),
      word("it's"),
      word('zzz'),
    ]);
    expect(offsets.slice(0, 5).map((at) => ssml.slice(at, at + 3))).toEqual([
      'Tom',
      '&am',
      'Jer',
      '&qu',
      'it&',
    ]);
    expect(offsets[5]).toBe(-1);
  });

  it('gives each word the utterance whose markup it is in; unplaceable words stay with the previous one', () => {
    const first = say('Cats & dogs.');
    const second = say('Dogs, "again".', { style: { name: 'sad' } });
    const [chunk] = chunkScene(scene([first, second]), { voice, maxChunkChars: 4000, maxVoiceElements: 50 });
    if (!chunk) throw new Error('no chunk');
    const words = ['Cats', 'dogs', 'mystery', 'Dogs', 'again', 'unknown'].map((t) => word(t));
    expect(wordOwners(chunk, words)).toEqual([first, first, first, second, second, second]);
  });
});

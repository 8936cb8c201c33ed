import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptionLook } from '../../shared/caption-styles.ts';
import { SEED_CAPTION_STYLES } from '../db/seed-data.ts';
import type { Utterance } from '../script/types.ts';
import { createEspeakSynthesizer } from '../speech/espeak.ts';
import { type Narration, synthesizeNarration } from '../speech/narration.ts';
import { buildAss } from './ass.ts';
import { buildSrt } from './srt.ts';

const say = (text: string, line: number): Utterance => ({ kind: 'speech', text, prosody: {}, line, col: 1 });

let dir: string;
let narration: Narration;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vf-captions-'));
  narration = await synthesizeNarration({
    document: {
      file: 'captions.md',
      meta: {},
      scenes: [
        { index: 0, title: 'One', line: 1, items: [say('{\\b1}Tom & <Jerry>', 2), say('Second line.', 3)] },
        { index: 1, title: 'Two', line: 5, items: [say('Last words.', 6)] },
      ],
      warnings: [],
    },
    synthesizer: createEspeakSynthesizer(),
    voiceFor: () => 'en-us',
    workDir: join(dir, 'work'),
    outPath: join(dir, 'narration.wav'),
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const toMs = (h: string, m: string, s: string, fraction: string) =>
  ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(fraction.padEnd(3, '0'));

describe('captions from a narration', () => {
  it('SRT entries carry the narration cue times and texts', () => {
    const srt = buildSrt(narration.cues);
    const entries = [
      ...srt.matchAll(/^(\d+)\n(\d+):(\d+):(\d+),(\d{3}) --> (\d+):(\d+):(\d+),(\d{3})\n(.*)$/gm),
    ];
    expect(entries).toHaveLength(3);
    entries.forEach((entry, i) => {
      const cue = narration.cues[i];
      const [, number, h1, m1, s1, f1, h2, m2, s2, f2, text] = entry as unknown as string[];
      expect(Number(number)).toBe(i + 1);
      expect(toMs(h1 ?? '', m1 ?? '', s1 ?? '', f1 ?? '')).toBe(cue?.startMs);
      expect(toMs(h2 ?? '', m2 ?? '', s2 ?? '', f2 ?? '')).toBe(cue?.endMs);
      expect(text?.replaceAll('\u2060', '')).toBe(cue?.text);
    });
  });

  it('ASS events carry the narration cue times (to the centisecond) and literal texts', () => {
    const look = SEED_CAPTION_STYLES.find((style) => style.slug === 'clean') as CaptionLook;
    const ass = buildAss(narration.cues, { width: 1920, height: 1080, look, words: narration.words ?? [] });
    const events = ass.split('\n').filter((line) => line.startsWith('Dialogue: '));
    expect(events).toHaveLength(3);
    events.forEach((event, i) => {
      const cue = narration.cues[i];
      const match =
        /^Dialogue: 0,(\d+):(\d\d):(\d\d)\.(\d\d),(\d+):(\d\d):(\d\d)\.(\d\d),Default,,0,0,0,,(.*)$/.exec(
          event,
        );
      const [, h1, m1, s1, c1, h2, m2, s2, c2, text] = match as unknown as string[];
      expect(toMs(h1 ?? '', m1 ?? '', s1 ?? '', c1 ?? '')).toBe(Math.round((cue?.startMs ?? 0) / 10) * 10);
      expect(toMs(h2 ?? '', m2 ?? '', s2 ?? '', c2 ?? '')).toBe(Math.round((cue?.endMs ?? 0) / 10) * 10);
      const literal = text?.replaceAll('\u2060', '').replaceAll('\\{', '{').replaceAll('\\}', '}');
      expect(literal).toBe(cue?.text);
    });
    expect(events[0]).toContain('\\{\\\u2060b1\\}Tom & <Jerry>');
  });
});

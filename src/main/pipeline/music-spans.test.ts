import { describe, expect, it } from 'vitest';
import type { MediaRef, Scene } from '../script/types.ts';
import { musicSpans } from './music-spans.ts';

const ref = (written: string): MediaRef => ({ written, path: `/s/${written}`, line: 1, col: 1 });
const scene = (index: number, music?: Scene['music']): Scene => ({
  index,
  title: `S${index}`,
  line: index + 1,
  items: [],
  ...(music ? { music } : {}),
});
const times = [0, 1000, 2500, 4000, 4500].map((startMs, i, all) => ({
  startMs,
  durationMs: (all[i + 1] ?? 6000) - startMs,
}));
const summary = (spans: ReturnType<typeof musicSpans>) =>
  spans.map((s) => [
    s.source.kind === 'bed' ? s.source.name : s.source.media.written,
    s.startMs,
    s.durationMs,
  ]);

describe('musicSpans', () => {
  it('plays the front matter music from the start, changes it at a scene, stops it, and starts again', () => {
    const document = {
      music: { kind: 'file' as const, media: ref('a.mp3') },
      scenes: [
        scene(0),
        scene(1, { kind: 'file', media: ref('b.mp3') }),
        scene(2, { kind: 'off', line: 3, col: 1 }),
        scene(3, { kind: 'file', media: ref('a.mp3') }),
        scene(4, { kind: 'file', media: ref('a.mp3') }),
      ],
    };
    expect(summary(musicSpans(document, 'soft-pad', times))).toEqual([
      ['a.mp3', 0, 1000],
      ['b.mp3', 1000, 1500],
      // Named again at the next scene: the same music runs on across the cut.
      ['a.mp3', 4000, 2000],
    ]);
  });

  it('uses the recipe’s bed when the script names none, and none when the script says off', () => {
    const scenes = [scene(0), scene(1), scene(2), scene(3), scene(4)];
    expect(summary(musicSpans({ scenes }, 'soft-pad', times))).toEqual([['soft-pad', 0, 6000]]);
    expect(musicSpans({ scenes, music: { kind: 'off', line: 2, col: 8 } }, 'soft-pad', times)).toEqual([]);
    expect(musicSpans({ scenes }, null, times)).toEqual([]);
  });

  it('skips scenes with no time (a scene with nothing spoken and no pause)', () => {
    const scenes = [scene(0), scene(1), scene(2)];
    const gappy = [times[0], undefined, { startMs: 1000, durationMs: 500 }];
    expect(summary(musicSpans({ scenes }, 'soft-pad', gappy))).toEqual([['soft-pad', 0, 1500]]);
  });
});

import { describe, expect, it } from 'vitest';
import { framesPerWholeMillisecondStep, layOutNarration, type TimelineScene } from './narration-timeline.ts';

const options = { sampleRate: 22050, utteranceGapMs: 150, sceneGapMs: 400, emptySceneMs: 1500 };
const speech = (text: string, frames: number) => ({
  kind: 'speech' as const,
  wavPath: `${text}.wav`,
  frames,
  text,
});

describe('layOutNarration', () => {
  it('places clips, gaps, pauses and the scene cut by sample count', () => {
    const scenes: TimelineScene[] = [
      { index: 0, items: [speech('Hello', 2205), { kind: 'pause', ms: 300 }, speech('Hi', 882)] },
      { index: 1, items: [speech('Bye', 1323)] },
    ];
    const timeline = layOutNarration(scenes, options);
    // 2205 | pause 6615 | gap 3308 | 882 | half scene gap 4410 ‖ 4410 | 1323 | pad 220 → 23373 frames.
    expect(timeline.parts.map((p) => p.frames)).toEqual([2205, 6615, 3308, 882, 4410, 4410, 1323, 220]);
    expect(timeline.frameCount).toBe(23373);
    expect(timeline.durationMs).toBe(1060);
    expect(timeline.cues).toEqual([
      { index: 0, sceneIndex: 0, text: 'Hello', startMs: 0, endMs: 100 },
      { index: 1, sceneIndex: 0, text: 'Hi', startMs: 550, endMs: 590 },
      { index: 2, sceneIndex: 1, text: 'Bye', startMs: 990, endMs: 1050 },
    ]);
    expect(timeline.scenes).toEqual([
      { index: 0, startMs: 0, endMs: 790 },
      { index: 1, startMs: 790, endMs: 1060 },
    ]);
  });

  it('gives a scene with nothing in it the empty-scene length, so its visual is still shown', () => {
    const timeline = layOutNarration(
      [
        { index: 0, items: [] },
        { index: 1, items: [{ kind: 'pause', ms: 1000 }] },
      ],
      { ...options, sceneGapMs: 0 },
    );
    expect(timeline.scenes).toEqual([
      { index: 0, startMs: 0, endMs: 1500 },
      { index: 1, startMs: 1500, endMs: 2500 },
    ]);
    expect(timeline.cues).toEqual([]);
  });

  it('pads the end so the total is a whole number of milliseconds at any sample rate', () => {
    expect(framesPerWholeMillisecondStep(22050)).toBe(441);
    expect(framesPerWholeMillisecondStep(44100)).toBe(441);
    expect(framesPerWholeMillisecondStep(24000)).toBe(24);
    for (const sampleRate of [22050, 16000, 44100, 11025]) {
      const timeline = layOutNarration([{ index: 0, items: [speech('x', 12345)] }], {
        ...options,
        sampleRate,
      });
      expect(Number.isInteger(timeline.durationMs)).toBe(true);
      expect((timeline.durationMs * sampleRate) / 1000).toBe(timeline.frameCount);
      expect(timeline.frameCount - 12345).toBeLessThan(framesPerWholeMillisecondStep(sampleRate));
    }
  });
});

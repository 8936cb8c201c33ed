/** A valid RenderPlan for tests: every kind of asset, a picture and a colour scene, music, loudness. */
import type { RenderPlan } from './render-plan.ts';

export const SAMPLE_SHA = 'a'.repeat(64);

export const SAMPLE_MIX = { duckDb: 10, attackMs: 20, releaseMs: 400, fadeInMs: 500, fadeOutMs: 500 };

export function samplePlan(overrides: Partial<RenderPlan> = {}): RenderPlan {
  return {
    version: 1,
    id: 'job-1',
    title: 'Test',
    output: {
      container: 'mp4',
      width: 1920,
      height: 1080,
      fps: 30,
      videoCodec: 'h264',
      encoders: ['h264_videotoolbox', 'libx264'],
      bitrate: '8M',
      crf: 21,
      speedPreset: 'veryfast',
      pixelFormat: 'yuv420p',
      audioCodec: 'aac',
      audioBitrate: '160k',
      audioSampleRate: 48000,
    },
    durationMs: 3000,
    assets: {
      narration: { sha256: SAMPLE_SHA, size: 10, kind: 'audio', name: 'narration.wav' },
      still: { sha256: SAMPLE_SHA, size: 10, kind: 'image', name: 'still.png' },
      music: { sha256: SAMPLE_SHA, size: 10, kind: 'audio', name: 'music.m4a' },
    },
    scenes: [
      { startMs: 0, durationMs: 1000, visual: { kind: 'image', asset: 'still', motion: 'zoom-in' } },
      { startMs: 1000, durationMs: 2000, visual: { kind: 'color', color: '#102030' } },
    ],
    audio: {
      narration: 'narration',
      music: { ...SAMPLE_MIX, spans: [{ asset: 'music', startMs: 500, durationMs: 2500, gainDb: -6 }] },
      loudness: { targetLufs: -14, truePeakDbtp: -1, gainDb: 5.5, limitDbtp: -1.5 },
    },
    ...overrides,
  };
}

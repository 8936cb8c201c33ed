/**
 * The music bus as real ffmpeg plays it: each span at its gain, faded in and out, silence between
 * spans, a span shorter than its file cut and one longer looped.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RenderPlan } from '../../shared/render-plan.ts';
import { encodeAudioTrack } from './join.ts';
import { asset, FFMPEG, makeSineWav, makeTempDir, tinyPlan } from './test-fixtures.ts';

const temp = makeTempDir('vf-audio-graph-');
afterAll(() => temp.cleanup());

function silentWav(path: string, seconds: number): string {
  spawnSync(FFMPEG, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `anullsrc=r=22050:cl=mono:d=${seconds}`,
    path,
  ]);
  return path;
}

/** RMS (dBFS) between two times of a file's audio. */
function levelDb(path: string, from: number, to: number): number {
  const filter = `atrim=${from}:${to},astats=measure_perchannel=none:measure_overall=RMS_level`;
  const result = spawnSync(
    FFMPEG,
    ['-hide_banner', '-nostdin', '-i', path, '-af', filter, '-f', 'null', '-'],
    {
      encoding: 'utf8',
    },
  );
  const value = /RMS level dB: (-?[\d.]+|-inf)/.exec(result.stderr)?.[1];
  return value === '-inf' || value === undefined ? Number.NEGATIVE_INFINITY : Number(value);
}

describe('the music bus', () => {
  it('plays each span at its gain with its fades, loops a short file, and is silent between spans', async () => {
    const paths = {
      // A silent narration: the bus alone is heard.
      narration: silentWav(join(temp.dir, 'n.wav'), 1),
      music: makeSineWav(join(temp.dir, 'm.wav'), 0.7, 200),
    };
    const plan: RenderPlan = tinyPlan({
      durationMs: 6000,
      assets: { narration: asset('audio', 'n.wav'), music: asset('audio', 'm.wav') },
      scenes: [{ startMs: 0, durationMs: 6000, visual: { kind: 'color', color: '#000000' } }],
      audio: {
        narration: 'narration',
        music: {
          spans: [
            { asset: 'music', startMs: 0, durationMs: 2500, gainDb: -6 },
            { asset: 'music', startMs: 3500, durationMs: 2500, gainDb: -18 },
          ],
          duckDb: 0,
          attackMs: 20,
          releaseMs: 400,
          fadeInMs: 500,
          fadeOutMs: 500,
        },
      },
    });
    const track = await encodeAudioTrack({
      ffmpegPath: FFMPEG,
      plan,
      assetPaths: paths,
      outPath: join(temp.dir, 'bus.m4a'),
    });
    const first = levelDb(track, 0.8, 2.0);
    const second = levelDb(track, 4.3, 5.5);
    // The 0.7 s file plays on through each span (looped): steady from fade to fade.
    expect(levelDb(track, 0.8, 1.4)).toBeCloseTo(levelDb(track, 1.4, 2.0), 0);
    // Each span at its own gain: 12 dB apart.
    expect(first - second).toBeGreaterThan(10);
    expect(first - second).toBeLessThan(14);
    // Faded in at the start and out at the end of a span; silence where no span plays.
    expect(levelDb(track, 0, 0.1)).toBeLessThan(first - 10);
    expect(levelDb(track, 2.42, 2.5)).toBeLessThan(first - 10);
    expect(levelDb(track, 2.6, 3.4)).toBeLessThan(-80);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RenderPlan } from '../../shared/render-plan.ts';
import type { VideoFacts } from '../ffmpeg/index.ts';
import { sha256Hex } from '../util/hash.ts';
import { findKeptPart, keepPart, keptPart } from './kept-parts.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-kept-parts-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const recipe = (encoder: string) => ({
  version: 'encode/4',
  plan: { durationMs: 1000 } as RenderPlan,
  encoder,
  threads: 1,
  captionBox: null,
  ffmpeg: { path: '/usr/bin/ffmpeg', version: '7.1.1' },
});

describe('a kept part', () => {
  it('is found again by what made it, only while its bytes are those its encode verified', async () => {
    const place = keptPart(dir, recipe('libx264'));
    expect(keptPart(dir, recipe('mpeg4')).path).not.toBe(place.path);
    // Another build of ffmpeg: its parts are not joined packet for packet with this one's.
    const upgraded = { ...recipe('libx264'), ffmpeg: { path: '/usr/bin/ffmpeg', version: '8.0' } };
    expect(keptPart(dir, upgraded).path).not.toBe(place.path);
    expect(await findKeptPart(place)).toBeUndefined();
    await writeFile(place.path, 'frames');
    const part = {
      path: place.path,
      encoder: 'libx264',
      sha256: sha256Hex('frames'),
      facts: { frames: 25 } as unknown as VideoFacts,
    };
    expect(await findKeptPart(place)).toBeUndefined();
    await keepPart(place, part);
    expect(await findKeptPart(place)).toEqual(part);
    // Changed in place, its size kept: encoded again.
    await writeFile(place.path, 'framez');
    expect(await findKeptPart(place)).toBeUndefined();
    await writeFile(place.path, 'frames');
    await writeFile(place.record, '{"encoder": 5');
    expect(await findKeptPart(place)).toBeUndefined();
  });
});

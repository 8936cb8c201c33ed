/**
 * A recipe that does not burn its captions in still delivers them: as a caption track of the video
 * (mov_text, what QuickTime and browsers show), timed like the burned-in ones.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/main/db/open.ts';
import { STEP_KINDS } from '../src/main/library/library.fixture.ts';
import { createRecipeVersion, getRecipe } from '../src/main/library/recipes.ts';
import { probeMedia } from './support/media.ts';
import { REPO, runVfo, tempDir } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  dir = await tempDir('vfo-soft-captions-');
  const database = openDatabase(join(dir.path, 'data'));
  try {
    const narrated = getRecipe(database.db, 'narrated-16x9');
    createRecipeVersion(
      database.db,
      {
        slug: 'soft-captions',
        name: 'Narrated, captions as a track',
        description: narrated.description,
        pipeline: narrated.pipeline,
        defaults: { ...narrated.defaults, captions: { ...narrated.defaults.captions, burnIn: false } },
      },
      STEP_KINDS,
    );
  } finally {
    database.close();
  }
});

afterAll(async () => {
  await dir?.remove();
});

describe('captions not burned in', () => {
  it('become a caption track of the video', async () => {
    const result = await runVfo([
      ...['render', join(REPO, 'examples', 'welcome.md'), '--data', join(dir.path, 'data')],
      ...['--out', join(dir.path, 'out'), '--recipe', 'soft-captions', '--video-preset', 'preview-360p'],
    ]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const video = result.stdout.trim().split('\n').at(-1) as string;
    const facts = await probeMedia(video);
    expect(facts.videoCodec).toBe('h264');
    const codecs = execFileSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', video],
      {
        encoding: 'utf8',
      },
    );
    expect(codecs.split('\n')).toContain('mov_text');
    const srt = execFileSync('ffmpeg', ['-v', 'error', '-i', video, '-map', '0:s:0', '-f', 'srt', '-'], {
      encoding: 'utf8',
    });
    expect(srt).toMatch(/^1\n00:00:00,\d{3} --> /);
    expect(srt.toLowerCase()).toContain('welcome');
  }, 120_000);
});

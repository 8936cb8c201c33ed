/**
 * Platform presets (issue 12, point 7): the seeded vertical preset renders a real 1080x1920 video with
 * its crossfades, and a narration longer than a preset's longest video is warned of by the check and
 * refused by the plan step: `vfo render` exits 2 with the reason and no stack trace.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../src/main/app/open-app.ts';
import { checkUpload } from '../src/main/intake/script-upload.ts';
import { hasStackTrace, runVfo, tempDir } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await tempDir('vfo-platform-');
  env = { VFO_DATA_DIR: join(dir.path, 'data') };
});
afterAll(async () => dir?.remove());

const SENTENCE = 'Bees tell each other where the flowers are with a little dance.';

/** About 20 sentences of 12 words: some 75 s for the offline voice, past the 60 s of Shorts. */
async function longScript(): Promise<string> {
  const path = join(dir.path, 'long.md');
  const body = Array.from(
    { length: 4 },
    (_, i) => `# Part ${i + 1}\n\n${Array(5).fill(SENTENCE).join(' ')}\n`,
  );
  await writeFile(path, `---\ntitle: Bees\n---\n\n${body.join('\n')}`);
  return path;
}

describe('platform presets', () => {
  it('renders a 1080x1920 video with the vertical preset', async () => {
    const script = join(dir.path, 'short.md');
    await writeFile(script, '# One\n\nHello bees.\n\n# Two\n\nGoodbye.\n');
    const result = await runVfo(
      ['render', script, '--video-preset', 'shorts-vertical', '--out', join(dir.path, 'out')],
      env,
    );
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    const video = result.stdout.trim();
    const probed = JSON.parse(
      execFileSync(
        'ffprobe',
        [
          '-v',
          'error',
          '-select_streams',
          'v:0',
          '-show_entries',
          'stream=width,height,nb_frames',
          '-of',
          'json',
          video,
        ],
        { encoding: 'utf8' },
      ),
    ) as { streams: { width: number; height: number; nb_frames: string }[] };
    expect(probed.streams[0]).toMatchObject({ width: 1080, height: 1920 });
    expect(Number(probed.streams[0]?.nb_frames)).toBeGreaterThan(10);
  }, 180_000);

  it('warns in the check where the estimate passes the preset’s longest video, and still accepts the script', async () => {
    const script = await longScript();
    const result = await runVfo(['check', script, '--video-preset', 'shorts-vertical'], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /long\.md:\d+:\d+: warning: the narration would last about \d+ s; the video preset "shorts-vertical" allows at most 60 s/,
    );
    const json = await runVfo(['check', script, '--video-preset', 'shorts-vertical', '--json'], env);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      estimatedSeconds: number;
      diagnostics: unknown[];
    };
    expect(report.ok).toBe(true);
    expect(report.estimatedSeconds).toBeGreaterThan(60);
    expect(report.diagnostics).toContainEqual(expect.objectContaining({ severity: 'warning' }));
    // Without the limit (the landscape preset) there is nothing to warn of.
    const plain = await runVfo(['check', script], env);
    expect(plain.stderr).not.toContain('allows at most');
  });

  it('warns in the upload check the app preview and the farm use, and accepts the script', async () => {
    const text = await readFile(await longScript(), 'utf8');
    const ctx = await openApp({ data: join(dir.path, 'data') });
    try {
      const { check } = await checkUpload(ctx, { name: 'long.md', text }, { videoPreset: 'shorts-vertical' });
      expect(check.ok).toBe(true);
      expect(check.diagnostics).toEqual([
        expect.objectContaining({
          file: 'long.md',
          severity: 'warning',
          message: expect.stringContaining('the video preset "shorts-vertical" allows at most 60 s'),
        }),
      ]);
    } finally {
      await ctx.close();
    }
  });

  // The narration stops at the preset's limit (it was spoken whole, then refused by the plan step).
  it('fails the render at the narration, at the preset’s limit: exit 2, no stack trace', async () => {
    const script = await longScript();
    const result = await runVfo(
      ['render', script, '--video-preset', 'shorts-vertical', '--out', join(dir.path, 'out-long')],
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /step "narration" failed: .*budget of 1 min.*\(the video preset "shorts-vertical" allows at most 60 s\)/,
    );
    expect(hasStackTrace(result.stderr)).toBe(false);
  }, 180_000);
});

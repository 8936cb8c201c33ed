/**
 * Acceptance: a sample script becomes a real 1080p H.264/AAC video with captions burned in; an
 * unchanged re-render calls no adapter and yields the same file; a changed voice setting re-runs only
 * what depends on it.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../src/main/engine/blob-store.ts';
import { encodeInChildProcess, linkPlanAssets } from '../src/main/ffmpeg/index.ts';
import { sha256File } from '../src/main/util/hash.ts';
import type { RenderPlan } from '../src/shared/render-plan.ts';
import { changedPixels, frameAt, probeMedia } from './support/media.ts';
import { REPO, runVfo, tempDir } from './support/vfo.ts';

interface JobSummary {
  id: string;
  status: string;
  output: string;
  steps: { key: string; status: string; reused: boolean; attempts: number }[];
  artifacts: { step: string; name: string; path: string; sha256: string }[];
}

let dir: { path: string; remove(): Promise<void> };
let env: NodeJS.ProcessEnv;
let first: JobSummary;
const callLog = () => join(dir.path, 'calls.log');

/** Real espeak-ng and ffmpeg behind wrappers that write one line per call: the adapter-call counter. */
async function countingWrappers(): Promise<string> {
  const bin = join(dir.path, 'bin');
  await writeFile(join(dir.path, '.keep'), '');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(bin);
  for (const [name, real] of [
    ['espeak-ng', '/usr/bin/espeak-ng'],
    ['ffmpeg', '/usr/bin/ffmpeg'],
  ]) {
    const path = join(bin, name as string);
    await writeFile(path, `#!/bin/sh\necho "${name} $*" >> "${callLog()}"\nexec ${real} "$@"\n`);
    await chmod(path, 0o755);
  }
  return bin;
}

async function render(extra: string[] = []): Promise<JobSummary> {
  const result = await runVfo(
    ['render', join(REPO, 'examples', 'welcome.md'), '--out', join(dir.path, 'out'), '--json', ...extra],
    env,
  );
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(0);
  const [job] = JSON.parse(result.stdout) as JobSummary[];
  return job as JobSummary;
}

async function synthesisCalls(): Promise<string[]> {
  const text = await readFile(callLog(), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.startsWith('espeak-ng') && l.includes(' -w '));
}

async function encodeCalls(): Promise<string[]> {
  const text = await readFile(callLog(), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.startsWith('ffmpeg') && l.includes('-progress'));
}

beforeAll(async () => {
  dir = await tempDir('vfo-render-');
  const bin = await countingWrappers();
  env = { VFO_DATA_DIR: join(dir.path, 'data'), PATH: `${bin}:${process.env.PATH}` };
  first = await render(['--ffmpeg', join(bin, 'ffmpeg')]);
}, 180_000);
afterAll(async () => dir?.remove());

describe('vfo render examples/welcome.md', () => {
  it('makes a 1080p H.264 + AAC video whose audio and video lengths agree within 0.1 s', async () => {
    expect(first.status).toBe('done');
    expect(first.output).toBe(join(dir.path, 'out', 'welcome.mp4'));
    const facts = await probeMedia(first.output);
    expect(facts).toMatchObject({ width: 1920, height: 1080, videoCodec: 'h264', audioCodec: 'aac' });
    expect(facts.videoSeconds).toBeGreaterThan(3);
    expect(Math.abs(facts.videoSeconds - facts.audioSeconds)).toBeLessThanOrEqual(0.1);
  });

  it('burns the captions in: a frame under a caption differs from the same render without captions', async () => {
    const planArtifact = first.artifacts.find((a) => a.step === 'plan' && a.name === 'plan');
    const timings = first.artifacts.find((a) => a.name === 'timings');
    const plan = JSON.parse(await readFile(planArtifact?.path as string, 'utf8')) as RenderPlan;
    const cues = (
      JSON.parse(await readFile(timings?.path as string, 'utf8')) as {
        cues: { startMs: number; endMs: number }[];
      }
    ).cues;
    const cue = cues[0] as { startMs: number; endMs: number };
    const { captions: _captions, ...bare } = plan;
    const blobs = new BlobStore(join(dir.path, 'data'));
    const work = join(dir.path, 'bare');
    const { assetPaths, fontsDir } = await linkPlanAssets(bare, (sha) => blobs.pathFor(sha), work);
    const result = await encodeInChildProcess({
      ffmpegPath: '/usr/bin/ffmpeg',
      ffprobePath: '/usr/bin/ffprobe',
      plan: bare,
      assetPaths,
      outPath: join(work, 'bare.mp4'),
      encoder: 'libx264',
      fontsDir,
    });
    const at = (cue.startMs + cue.endMs) / 2000;
    const withCaptions = await frameAt(first.output, at);
    const without = await frameAt(result.outPath, at);
    expect(changedPixels(withCaptions, without)).toBeGreaterThan(0.005);
    // Between two cues (no caption on screen) the renders agree: the difference really is the caption.
    const gapAfter = cues.findIndex(
      (c, i) => i + 1 < cues.length && (cues[i + 1] as { startMs: number }).startMs - c.endMs > 200,
    );
    expect(gapAfter).toBeGreaterThanOrEqual(0);
    const gap =
      ((cues[gapAfter] as { endMs: number }).endMs + (cues[gapAfter + 1] as { startMs: number }).startMs) /
      2000;
    expect(changedPixels(await frameAt(first.output, gap), await frameAt(result.outPath, gap))).toBeLessThan(
      0.001,
    );
  });

  it('re-renders an unchanged job without calling any adapter and returns the same file', async () => {
    const before = { synth: (await synthesisCalls()).length, encode: (await encodeCalls()).length };
    expect(before.synth).toBeGreaterThan(0);
    expect(before.encode).toBe(1);
    const checksum = (await sha256File(first.output)).sha256;
    const second = await render();
    expect(second.id).not.toBe(first.id);
    expect(second.steps.every((s) => s.status === 'done' && s.reused)).toBe(true);
    expect((await synthesisCalls()).length).toBe(before.synth);
    expect((await encodeCalls()).length).toBe(before.encode);
    expect((await sha256File(second.output)).sha256).toBe(checksum);
  });

  it('re-renders an unchanged job without loading an HTTP server: its start-up is what the user waits for', async () => {
    // Node lists every built-in module it loaded; Fastify (and node:http with it) cost ~0.1 s to load.
    const loaded = join(dir.path, 'loaded-builtins.txt');
    const preload = join(dir.path, 'list-builtins.mjs');
    await writeFile(
      preload,
      `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(loaded)}, process.moduleLoadList.join('\\n')));\n`,
    );
    const result = await runVfo(
      ['render', join(REPO, 'examples', 'welcome.md'), '--out', join(dir.path, 'out'), '--json'],
      { ...env, NODE_OPTIONS: `--import ${pathToFileURL(preload).href}` },
    );
    expect(result.code).toBe(0);
    const [job] = JSON.parse(result.stdout) as JobSummary[];
    expect(job?.steps.every((s) => s.reused)).toBe(true);
    const builtins = (await readFile(loaded, 'utf8')).split('\n');
    expect(builtins).toContain('NativeModule fs');
    expect(builtins.filter((m) => /^NativeModule (https?|_http_\w+)$/.test(m))).toEqual([]);
  });

  it('changing one voice setting re-runs only the steps downstream of it', async () => {
    const db = new Database(join(dir.path, 'data', 'vfo.db'));
    db.prepare("UPDATE voice_presets SET prosody = ? WHERE slug = 'offline-en'").run(
      JSON.stringify({ rate: '+15%' }),
    );
    db.close();
    const before = (await synthesisCalls()).length;
    const third = await render();
    const reused = Object.fromEntries(third.steps.map((s) => [s.key, s.reused]));
    expect(reused).toEqual({
      script: true,
      ssml: false,
      narration: false,
      captions: false,
      plan: false,
      video: false,
    });
    expect((await synthesisCalls()).length).toBeGreaterThan(before);
    expect((await synthesisCalls()).slice(before).every((l) => / -s 20\d /.test(l))).toBe(true);
  });
});

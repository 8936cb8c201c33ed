/** The vfo commands besides render: doctor, check --ssml, jobs (list, show, retry --from, cancel). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, REPO, runVfo, tempDir } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await tempDir('vfo-cli-');
  env = { VFO_DATA_DIR: join(dir.path, 'data') };
});
afterAll(async () => dir?.remove());

describe('vfo doctor', () => {
  it('reports ffmpeg, encoders, the offline voice, the data folder, and keys without their values', async () => {
    const secret = 'sk-test-doctor-0123456789';
    const result = await runVfo(['doctor', '--json'], {
      ...env,
      AZURE_SPEECH_KEY: secret,
      AZURE_SPEECH_REGION: 'westeurope',
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      ready: true,
      dataDir: join(dir.path, 'data'),
      ffmpeg: {
        ok: true,
        encoders: { libx264: true, h264_videotoolbox: false, hevc_videotoolbox: false },
        libass: true,
      },
      voices: { offline: { engine: 'espeak-ng', available: true } },
      keys: { anthropic: false, azureSpeech: true },
    });
    expect(report.ffmpeg.path).toMatch(/ffmpeg$/);
    expect(report.voices.offline.voices).toBeGreaterThan(10);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('says what is missing when ffmpeg cannot be found, and exits 1', async () => {
    const result = await runVfo(['doctor', '--ffmpeg', join(dir.path, 'no-such-ffmpeg')], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ffmpeg\s+MISSING: .*no-such-ffmpeg/);
    expect(result.stdout).toContain('NOT ready to render');
  });
});

describe('vfo check', () => {
  it('prints well-formed SSML with the text escaped', async () => {
    const script = join(dir.path, 'ssml.md');
    await writeFile(script, '# Tom & Jerry\n\nSay <b>"hi"</b> & bye. [cheerful 1.5] Happy now.\n');
    const result = await runVfo(['check', script, '--ssml', '--voice', 'azure-en-jenny'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('<voice name="en-US-JennyNeural">');
    expect(result.stdout).toContain('Say &lt;b&gt;&quot;hi&quot;&lt;/b&gt; &amp; bye.');
    expect(result.stdout).toMatch(/<mstts:express-as style="cheerful" styledegree="1.5">\s*Happy now\./);
    expect(result.stdout).not.toContain('<b>');
  });

  it('reports a valid script as ok and lists its shape in JSON', async () => {
    const result = await runVfo(['check', join(REPO, 'examples', 'welcome.md'), '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      scenes: 2,
      title: 'Welcome to Video Factory',
    });
  });
});

describe('vfo jobs', () => {
  let jobId: string;
  const script = () => join(dir.path, 'short.md');
  const steps = async (id: string) => {
    const shown = await runVfo(['jobs', 'show', id.slice(0, 8), '--json'], env);
    expect(shown.code).toBe(0);
    return JSON.parse(shown.stdout) as {
      status: string;
      steps: { key: string; reused: boolean; attempts: number }[];
    };
  };

  let renderStderr = '';

  beforeAll(async () => {
    // An unknown front matter key: a warning, not an error.
    await writeFile(script(), '---\nmood: calm\n---\n# One\n\nA short one.\n');
    const result = await runVfo(['render', script(), '--video-preset', 'preview-360p', '--json'], env);
    expect(result.code).toBe(0);
    renderStderr = result.stderr;
    jobId = (JSON.parse(result.stdout) as { id: string }[])[0]?.id as string;
  });

  it("prints a script's warning once, located, though the job records it too", async () => {
    expect(renderStderr.match(/2:1: warning: unknown front matter key "mood"/g)).toHaveLength(1);
    const shown = await runVfo(['jobs', 'show', jobId.slice(0, 8), '--json'], env);
    expect((JSON.parse(shown.stdout) as { warnings: string[] }).warnings.join('\n')).toMatch(/"mood"/);
  });

  it('lists jobs and shows one by a short id', async () => {
    const listed = await runVfo(['jobs'], env);
    expect(listed.stdout).toContain(jobId.slice(0, 8));
    expect(listed.stdout).toContain('done');
    expect((await steps(jobId)).steps.map((s) => s.key)).toEqual([
      'script',
      'ssml',
      'narration',
      'captions',
      'plan',
      'video',
    ]);
  });

  it('re-runs a chosen step and everything after it, and nothing before it', async () => {
    const result = await runVfo(['jobs', 'retry', jobId, '--from', 'captions'], env);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(join(dir.path, 'short.mp4'));
    const attempts = Object.fromEntries((await steps(jobId)).steps.map((s) => [s.key, s.attempts]));
    expect(attempts).toEqual({ script: 1, ssml: 1, narration: 1, captions: 2, plan: 2, video: 2 });
    const bad = await runVfo(['jobs', 'retry', jobId, '--from', 'nope'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no step "nope" \(steps: script, ssml, narration, captions, plan, video\)/);
    expect(hasStackTrace(bad.stderr)).toBe(false);
  });

  it('cancels a queued job', async () => {
    const db = new Database(join(dir.path, 'data', 'vfo.db'));
    db.prepare("UPDATE jobs SET status = 'queued' WHERE id = ?").run(jobId);
    db.close();
    const result = await runVfo(['jobs', 'cancel', jobId.slice(0, 8)], env);
    expect(result.code).toBe(0);
    expect((await steps(jobId)).status).toBe('cancelled');
  });
});

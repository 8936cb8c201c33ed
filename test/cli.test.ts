/** The vfo commands besides render: doctor, check --ssml, jobs (list, show, retry --from, cancel). */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    expect(result.stdout).toContain('NOT ready to render: missing ffmpeg');
  });

  // Found by attacking the farm's controls: an ffmpeg without them said "ready to render", and the
  // render failed at its video step, after the narration.
  it('is not ready with an ffmpeg that has no H.264 encoder or no libass', async () => {
    const fake = join(dir.path, 'bare-ffmpeg');
    await mkdir(fake, { recursive: true });
    // The real ffmpeg, but its lists of encoders and filters lack libx264 and subtitles/ass.
    const wrapper = [
      '#!/bin/sh',
      'case "$*" in',
      '  *-encoders*) /usr/bin/ffmpeg "$@" | grep -v -e libx264 -e h264_videotoolbox ;;',
      '  *-filters*) /usr/bin/ffmpeg "$@" | grep -v -e " subtitles " -e " ass " ;;',
      '  *) exec /usr/bin/ffmpeg "$@" ;;',
      'esac',
      '',
    ].join('\n');
    await writeFile(join(fake, 'ffmpeg'), wrapper, { mode: 0o755 });
    const result = await runVfo(['doctor', '--ffmpeg', join(fake, 'ffmpeg'), '--json'], env);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ready: false, ffmpeg: { ok: true, libass: false } });
    expect(report.missing).toEqual([
      'an H.264 encoder (h264_videotoolbox or libx264)',
      'libass (burned-in captions)',
    ]);
    const text = await runVfo(['doctor', '--ffmpeg', join(fake, 'ffmpeg')], env);
    expect(text.stdout).toContain('libass        no (captions cannot be burned in)');
    expect(text.stdout).toContain('NOT ready to render: missing an H.264 encoder');
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

  // Found by attacking the speech path: a voice switched to was printed (and stored as the ssml step's
  // file) as its preset's slug, not the name Azure is sent.
  it('names a voice switched to as Azure knows it', async () => {
    const script = join(dir.path, 'switch.md');
    await writeFile(script, '# One\n\nHello there. [voice azure-es-dalia] Hola amigo.\n');
    const result = await runVfo(['check', script, '--ssml', '--voice', 'azure-en-jenny'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('<voice name="es-MX-DaliaNeural">');
    expect(result.stdout).not.toContain('azure-es-dalia');
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

  it('exits 2 when a retry finds the script wrong (as render does)', async () => {
    await writeFile(script(), '# One\n\nA short one. [image nowhere.png]\n');
    const result = await runVfo(['jobs', 'retry', jobId.slice(0, 8), '--from', 'script'], env);
    expect(result.stderr).toContain('image not found: nowhere.png');
    expect(result.code).toBe(2);
    await writeFile(script(), '---\nmood: calm\n---\n# One\n\nA short one.\n');
    expect((await runVfo(['jobs', 'retry', jobId.slice(0, 8), '--from', 'script'], env)).code).toBe(0);
  });

  it('says a job has ended rather than that its cancel was requested', async () => {
    const result = await runVfo(['jobs', 'cancel', jobId.slice(0, 8)], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`job ${jobId.slice(0, 8)} is done: there is nothing to cancel`);
    expect((await steps(jobId)).status).toBe('done');
  });

  it('names the jobs a short id could be, rather than saying there is none', async () => {
    // A second job whose id starts as the first one's does.
    const twin = `${jobId.slice(0, 9)}ffff-ffff-ffff-ffffffffffff`;
    const db = new Database(join(dir.path, 'data', 'vfo.db'));
    db.exec('CREATE TEMP TABLE twin AS SELECT * FROM jobs WHERE 0');
    db.prepare('INSERT INTO twin SELECT * FROM jobs WHERE id = ?').run(jobId);
    db.prepare('UPDATE twin SET id = ?').run(twin);
    db.exec('INSERT INTO jobs SELECT * FROM twin');
    db.close();
    try {
      const result = await runVfo(['jobs', 'show', jobId.slice(0, 8)], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`several jobs start with "${jobId.slice(0, 8)}"`);
      expect(result.stderr).toContain(jobId.slice(0, 13));
      expect(result.stderr).toContain(twin.slice(0, 13));
    } finally {
      const cleanup = new Database(join(dir.path, 'data', 'vfo.db'));
      cleanup.prepare('DELETE FROM jobs WHERE id = ?').run(twin);
      cleanup.close();
    }
  });

  it('cancels a queued job', async () => {
    const db = new Database(join(dir.path, 'data', 'vfo.db'));
    db.prepare("UPDATE jobs SET status = 'queued' WHERE id = ?").run(jobId);
    db.close();
    const result = await runVfo(['jobs', 'cancel', jobId.slice(0, 8)], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`cancel requested for job ${jobId}\n`);
    expect((await steps(jobId)).status).toBe('cancelled');
    // --json is JSON here too (it printed a sentence).
    const again = new Database(join(dir.path, 'data', 'vfo.db'));
    again.prepare("UPDATE jobs SET status = 'queued' WHERE id = ?").run(jobId);
    again.close();
    const json = await runVfo(['jobs', 'cancel', jobId.slice(0, 8), '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: jobId, status: 'cancelled', cancelRequested: true });
  });
});

describe('what vfo is given on its command line', () => {
  it('prints a usage error on lines of its own, and a name from the command line printable', async () => {
    const missing = await runVfo(['check'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^vfo: give exactly one script\nusage: vfo check/);
    expect(missing.stderr).not.toContain('\\u{a}');
    const none = await runVfo([], env);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('usage: vfo <command>');
    const coloured = await runVfo(['\u001b[31mred'], env);
    expect(coloured.code).toBe(2);
    expect(coloured.stderr).toContain('vfo: unknown command "\\u{1b}[31mred"');
    expect(coloured.stderr).not.toContain('\u001b');
  });

  it('refuses more threads than an encode takes before any work (it failed after the render)', async () => {
    const result = await runVfo(['render', join(dir.path, 'short.md'), '--threads', '300'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--threads must be a whole number from 1 to 256');
  });

  it('refuses an --out that is not a writable folder, and an --ffmpeg that is not a program, before any work', async () => {
    const script = join(dir.path, 'short.md');
    const cases: [string[], string][] = [
      [['--out', ''], '--out is empty'],
      [['--out', script], `--out ${script} is not a folder`],
      [['--out', join(script, 'under')], `(${script} is not a folder this user can write in)`],
      [['--ffmpeg', join(dir.path, 'no-ffmpeg')], `--ffmpeg ${join(dir.path, 'no-ffmpeg')} is not a program`],
    ];
    for (const [args, message] of cases) {
      const result = await runVfo(['render', script, ...args], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });

  it('refuses arguments a command does not take, a --data that is a file, and a node’s unknown preset', async () => {
    const extra = await runVfo(['doctor', 'extra'], env);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("Unexpected argument 'extra'");
    const file = join(dir.path, 'short.md');
    const data = await runVfo(['jobs', '--data', file]);
    expect(data.code).toBe(1);
    expect(data.stderr).toContain(`the data folder ${file} is a file, not a folder`);
    const key = join(dir.path, 'farm.key');
    await writeFile(key, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    const node = await runVfo(
      ['node', '--farm-key-file', key, '--interface', '127.0.0.1', '--video-preset', 'nope'],
      env,
    );
    expect(node.code).toBe(2);
    expect(node.stderr).toContain('--video-preset: unknown video preset "nope"');
  });

  it('names the URL of a server that is not a node, and refuses one that is not http', async () => {
    const key = join(dir.path, 'client.key');
    await writeFile(key, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    const server = createServer((_request, response) => response.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const result = await runVfo(['status', '--node', url, '--farm-key-file', key], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`vfo: error: ${url} did not answer as a Video Factory node:`);
    } finally {
      server.close();
    }
    const ftp = await runVfo(['status', '--node', 'ftp://127.0.0.1', '--farm-key-file', key], env);
    expect(ftp.code).toBe(2);
    expect(ftp.stderr).toContain('--node must be a URL like http://');
  });

  it('refuses a key file or brief file that is not a file at once (a FIFO was waited on for ever)', async () => {
    const fifo = join(dir.path, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const status = await runVfo(['status', '--node', 'http://127.0.0.1:9', '--farm-key-file', fifo], env);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain(`the farm key file ${fifo} is not a file`);
    const brief = await runVfo(['render', '--title', 'T', '--brief-file', dir.path], env);
    expect(brief.code).toBe(2);
    expect(brief.stderr).toContain(`the brief file ${dir.path} is not a file`);
  });
});

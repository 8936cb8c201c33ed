/**
 * npm run bench:render — one run, ratios measured back to back on this machine:
 *  (a) wall time of `vfo render` for a ~60 s script ÷ wall time of a bare ffmpeg command producing the
 *      same video from the same inputs (target ≤ 1.10): what the engine, speech and checks cost on top
 *      of the encode itself;
 *  (b) wall time of re-rendering the unchanged script ÷ the first render (target ≤ 0.02).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { BlobStore } from '../src/main/engine/blob-store.ts';
import { buildEncodeCommand, linkPlanAssets } from '../src/main/ffmpeg/index.ts';
import type { RenderPlan } from '../src/shared/render-plan.ts';

const repo = resolve(import.meta.dirname, '..');

const SENTENCES = [
  'Every studio has a backlog of scripts that deserve to become videos.',
  'Video Factory reads a plain markdown file and turns it into narration.',
  'Each heading starts a new scene with its own picture and gentle motion.',
  'Stage directions in square brackets change the pace and the mood.',
  'Captions are timed from the audio itself, so they never drift.',
  'When nothing has changed, a second run finishes almost at once.',
];

function script(): string {
  const scenes: string[] = [];
  // 15 sentences of the offline voice come to about a minute of narration.
  for (let s = 0; s < 4; s++) {
    const body: string[] = [];
    for (let i = 0; i < (s === 3 ? 3 : 4); i++)
      body.push(SENTENCES[(s * 4 + i) % SENTENCES.length] as string);
    scenes.push(`# Scene ${s + 1}\n\n${body.join(' ')}\n`);
  }
  return `---\ntitle: Benchmark\n---\n\n${scenes.join('\n')}`;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(performance.now() - start);
      else reject(new Error(`${command} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

const dir = await mkdtemp(join(tmpdir(), 'vfo-bench-'));
try {
  const scriptPath = join(dir, 'bench.md');
  await writeFile(scriptPath, script());
  const data = join(dir, 'data');
  const vfo = [join(repo, 'bin', 'vfo.js'), 'render', scriptPath, '--data', data, '--out', join(dir, 'out')];

  const firstMs = await timed(process.execPath, vfo);
  const rerenderMs = await timed(process.execPath, vfo);

  // The same encode, bare: the plan vfo made, the encoder and arguments vfo used, no engine around it.
  const db = new Database(join(data, 'vfo.db'), { readonly: true });
  const planRow = db
    .prepare("SELECT path FROM artifacts WHERE step_key = 'plan' AND name = 'plan' LIMIT 1")
    .get() as { path: string };
  const videoRow = db.prepare("SELECT metadata FROM artifacts WHERE type = 'video' LIMIT 1").get() as {
    metadata: string;
  };
  db.close();
  const plan = JSON.parse(await readFile(planRow.path, 'utf8')) as RenderPlan;
  const { encoder } = JSON.parse(videoRow.metadata) as { encoder: string };
  const blobs = new BlobStore(data);
  const { assetPaths, fontsDir } = await linkPlanAssets(plan, (sha) => blobs.pathFor(sha), join(dir, 'bare'));
  const args = buildEncodeCommand({ plan, assetPaths, outPath: join(dir, 'bare.mp4'), encoder, fontsDir });
  const bareMs = await timed('ffmpeg', args);

  const a = firstMs / bareMs;
  const b = rerenderMs / firstMs;
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  process.stdout.write(
    [
      `video: ${(plan.durationMs / 1000).toFixed(1)} s, ${plan.output.width}x${plan.output.height}@${plan.output.fps}, ${encoder}`,
      `vfo render (first):      ${seconds(firstMs)} s`,
      `bare ffmpeg, same output: ${seconds(bareMs)} s`,
      `vfo render (unchanged):  ${seconds(rerenderMs)} s`,
      `(a) render / bare ffmpeg = ${a.toFixed(3)}  (target <= 1.10) ${a <= 1.1 ? 'OK' : 'MISSED'}`,
      `(b) re-render / render   = ${b.toFixed(4)} (target <= 0.02) ${b <= 0.02 ? 'OK' : 'MISSED'}`,
      '',
    ].join('\n'),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

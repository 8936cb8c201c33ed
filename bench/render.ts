/**
 * npm run bench:render [-- --rounds N] [-- --no-reference]
 *
 * A ~63 s script rendered by `vfo render` from a fresh data folder, against what the encode alone costs.
 * Timings on these machines move by ±15 % from run to run, so the commands alternate: every round runs
 * each of them once (in a rotated order), over at least 3 rounds, and the medians are compared.
 *
 *  (a) render / bare ffmpeg (target ≤ 1.10): `vfo render` against the exact ffmpeg command vfo builds for
 *      that plan, run alone on the same inputs: what the engine, speech and checks cost on top;
 *      render / encoder-only = R (target ≤ 1.3): against libx264, same settings, encoding the finished
 *      frames from a lossless intermediate: what the picture pipeline (and the audio) cost on top of the
 *      encoder. The intermediate is the raw frames in the encoder's pixel format, written once: reading
 *      them needs no decoding and no conversion, only the reading itself, timed alone and printed beside it;
 *  (b) re-render / render (target ≤ 0.02): the unchanged script rendered again.
 * When captions are drawn once per caption state, vfo first measures where they draw (a short ffmpeg
 * run): the bare and filter-graph timings include that run.
 * Also timed: the filter graph alone (its frames thrown away), and unless --no-reference the pipeline
 * before issue 15 (zoompan over a 2x still, captions drawn every frame), bare and filters alone.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { BlobStore } from '../src/main/engine/blob-store.ts';
import {
  buildEncodeCommand,
  captionBoxArgs,
  captionDrawing,
  type EncodeCommand,
  linkPlanAssets,
  measureCaptionBox,
  outputPixelFormat,
  type PictureRenderer,
  videoEncoderArgs,
  writeSideFiles,
} from '../src/main/ffmpeg/index.ts';
import type { RenderPlan } from '../src/shared/render-plan.ts';

const repo = resolve(import.meta.dirname, '..');
const { values: options } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, 'no-reference': { type: 'boolean', default: false } },
});
const rounds = Math.max(3, Number(options.rounds));

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

function timed(command: string, args: string[]): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** The plan as one segment of itself: the command draws the whole picture and nothing else. */
function videoOnly(plan: RenderPlan): RenderPlan {
  const frameCount = Math.round((plan.durationMs * plan.output.fps) / 1000);
  return { ...plan, segment: { index: 0, count: 1, startFrame: 0, frameCount } };
}
/** A command's inputs and filter graph, up to its mapped picture: the output is the caller's. */
function graphArgs(command: EncodeCommand): string[] {
  const map = command.args.indexOf('-map');
  return command.args.slice(0, map + 2);
}

const dir = await mkdtemp(join(tmpdir(), 'vfo-bench-'));
try {
  const scriptPath = join(dir, 'bench.md');
  await writeFile(scriptPath, script());
  const vfo = (data: string) => [
    join(repo, 'bin', 'vfo.js'),
    'render',
    scriptPath,
    ...['--data', data, '--out', join(dir, 'out')],
  ];

  // A first render makes the plan and the assets the bare commands use (and warms the caches).
  const firstData = join(dir, 'data-0');
  await timed(process.execPath, vfo(firstData));
  const db = new Database(join(firstData, 'vfo.db'), { readonly: true });
  const planRow = db
    .prepare("SELECT path FROM artifacts WHERE step_key = 'plan' AND name = 'plan' LIMIT 1")
    .get() as { path: string };
  const videoRow = db.prepare("SELECT metadata FROM artifacts WHERE type = 'video' LIMIT 1").get() as {
    metadata: string;
  };
  db.close();
  const plan = JSON.parse(await readFile(planRow.path, 'utf8')) as RenderPlan;
  const { encoder } = JSON.parse(videoRow.metadata) as { encoder: string };
  const blobs = new BlobStore(firstData);
  const { assetPaths, fontsDir } = await linkPlanAssets(plan, (sha) => blobs.pathFor(sha), join(dir, 'bare'));
  const captionsPath = plan.captions?.burnIn ? assetPaths[plan.captions.asset] : undefined;
  const captionsText = captionsPath ? await readFile(captionsPath, 'utf8') : undefined;
  const command = async (picture: PictureRenderer, p: RenderPlan, outPath: string) => {
    const input = {
      plan: p,
      assetPaths,
      outPath,
      encoder,
      fontsDir,
      workDir: join(dir, `side-${picture}`),
      captionsText,
      picture,
    };
    // Captions drawn once per state are measured first (a short ffmpeg run): timed with the command.
    const drawing = captionDrawing(input);
    const measure = drawing?.kind === 'once' ? captionBoxArgs(drawing.states) : undefined;
    const built = buildEncodeCommand({ ...input, captionBox: await measureCaptionBox('ffmpeg', input) });
    await writeSideFiles(built.files);
    return { ...built, measure };
  };
  /** The measuring run (if any), then the command: both are what vfo runs for the encode. */
  const run = async (c: { measure?: string[] }, args: string[]) =>
    (c.measure ? await timed('ffmpeg', c.measure) : 0) + (await timed('ffmpeg', args));
  const bareCommand = await command('keyframes', plan, join(dir, 'bare.mp4'));
  const filtersCommand = await command('keyframes', videoOnly(plan), '/dev/null');
  const filtersOnly = [...graphArgs(filtersCommand), ...['-f', 'null', '-']];
  const referenceBare = (await command('zoompan-reference', plan, join(dir, 'reference.mp4'))).args;
  const referenceFilters = [
    ...graphArgs(await command('zoompan-reference', videoOnly(plan), '/dev/null')),
    ...['-f', 'null', '-'],
  ];

  // The finished frames, once, raw, in the very pixel format the encoder takes: the encoder-only runs
  // read them without decoding or converting anything.
  const { output } = plan;
  const pixelFormat = outputPixelFormat(encoder, output);
  const frames = join(dir, 'frames.raw');
  await timed('ffmpeg', [...graphArgs(filtersCommand), '-f', 'rawvideo', frames]);
  const rawInput = [
    ...['-f', 'rawvideo', '-pix_fmt', pixelFormat, '-s', `${output.width}x${output.height}`],
    ...['-r', String(output.fps), '-i', frames],
  ];
  const encoderOnly = [
    ...['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...rawInput],
    ...videoEncoderArgs(encoder, output),
    ...['-pix_fmt', pixelFormat, '-r', String(output.fps)],
    ...['-g', String(Math.max(1, output.fps * 2)), '-an', '-f', 'mp4', join(dir, 'encoder-only.mp4')],
  ];
  const readOnly = ['-hide_banner', '-nostdin', '-loglevel', 'error', ...rawInput, '-f', 'null', '-'];
  const rerender: number[] = [];

  const runs: Record<string, () => Promise<number>> = {
    render: async () => {
      // A fresh data folder each round: narration, captions, plan and encode all run.
      const data = join(dir, `data-${performance.now().toFixed(0)}`);
      const ms = await timed(process.execPath, vfo(data));
      rerender.push(await timed(process.execPath, vfo(data)));
      await rm(data, { recursive: true, force: true });
      return ms;
    },
    bare: () => run(bareCommand, bareCommand.args),
    encoderOnly: () => timed('ffmpeg', encoderOnly),
    readOnly: () => timed('ffmpeg', readOnly),
    filters: () => run(filtersCommand, filtersOnly),
    ...(options['no-reference']
      ? {}
      : {
          referenceBare: () => timed('ffmpeg', referenceBare),
          referenceFilters: () => timed('ffmpeg', referenceFilters),
        }),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  const names = Object.keys(runs);
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no command always runs first (or right after the heaviest one).
    const order = names.map((_, i) => names[(i + round) % names.length] as string);
    for (const name of order) times[name]?.push(await (runs[name] as () => Promise<number>)());
  }

  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<
    string,
    number
  >;
  const list = (k: string) => (times[k] ?? []).map(seconds).join(', ');
  const a = (m.render as number) / (m.bare as number);
  const r = (m.render as number) / (m.encoderOnly as number);
  const rNoRead = (m.render as number) / ((m.encoderOnly as number) - (m.readOnly as number));
  const b = median(rerender) / (m.render as number);
  const lines = [
    `video: ${(plan.durationMs / 1000).toFixed(1)} s, ${output.width}x${output.height}@${output.fps}, ${encoder}`,
    `rounds: ${rounds} (each command once per round, order rotated; medians, then every run)`,
    `vfo render (first, fresh data):   ${seconds(m.render as number)} s   [${list('render')}]`,
    `vfo render (unchanged):           ${seconds(median(rerender))} s   [${rerender.map(seconds).join(', ')}]`,
    `bare ffmpeg (this pipeline):      ${seconds(m.bare as number)} s   [${list('bare')}]`,
    `encoder-only (raw frames in):     ${seconds(m.encoderOnly as number)} s   [${list('encoderOnly')}]`,
    `  of which reading the raw frames (no decoding, timed alone): ${seconds(m.readOnly as number)} s   [${list('readOnly')}]`,
    `filter graph alone:               ${seconds(m.filters as number)} s   [${list('filters')}]`,
  ];
  if (m.referenceBare !== undefined) {
    lines.push(
      `reference (zoompan 2x, captions every frame), bare ffmpeg: ${seconds(m.referenceBare)} s   [${list('referenceBare')}]`,
      `reference filter graph alone:     ${seconds(m.referenceFilters as number)} s   [${list('referenceFilters')}]`,
      `reference bare / encoder-only   = ${(m.referenceBare / (m.encoderOnly as number)).toFixed(3)}`,
    );
  }
  lines.push(
    `(a) render / bare ffmpeg   = ${a.toFixed(3)}  (target <= 1.10) ${a <= 1.1 ? 'OK' : 'MISSED'}`,
    `    render / encoder-only = ${r.toFixed(3)}  (target <= 1.3) ${r <= 1.3 ? 'OK' : 'MISSED'}` +
      `   (${rNoRead.toFixed(3)} with the reading taken out of encoder-only)`,
    `(b) re-render / render     = ${b.toFixed(4)} (target <= 0.02) ${b <= 0.02 ? 'OK' : 'MISSED'}`,
    '',
  );
  process.stdout.write(lines.join('\n'));
} finally {
  await rm(dir, { recursive: true, force: true });
}

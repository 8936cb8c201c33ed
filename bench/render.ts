/**
 * npm run bench:render [-- --rounds N] [--no-reference] [--part default|publishable|both]
 *
 * Then the "publishable" script (render-publishable.ts), unless --part default.
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
 *      Each render is also split by its job's step times: the steps before the encode step, the encode
 *      step (thumbnail, parts, audio, join, verify), and vfo's start and exit; `encode step / encoder-only`
 *      is printed beside R (not a target: it leaves out speech, plan and start-up);
 *  (b) re-render / render (target ≤ 0.02): the unchanged script rendered again.
 * When captions are drawn once per caption state, vfo first measures where they draw (a short ffmpeg
 * run): the bare and filter-graph timings include that run.
 * Also timed: the filter graph alone (its frames thrown away), and unless --no-reference the pipeline
 * before issue 15 (zoompan over a 2x still, captions drawn every frame), bare and filters alone.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type EncodeCommand, outputPixelFormat, videoEncoderArgs } from '../src/main/ffmpeg/index.ts';
import type { RenderPlan } from '../src/shared/render-plan.ts';
import { renderedPlan, stepTimes } from './support/rendered-plan.ts';
import { alternate, median, seconds, timed } from './support/timing.ts';

const repo = resolve(import.meta.dirname, '..');
const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'no-reference': { type: 'boolean', default: false },
    part: { type: 'string', default: 'both' },
  },
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

async function benchDefaultScript(): Promise<void> {
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
    const { plan, encoder, command } = await renderedPlan(firstData, dir);
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
    /** Each render's encode step (parts, audio, join, verify), the steps before it, and the rest (vfo's
     * start before the first step, its exit after the last): from the job's step times. */
    const encodeStep: number[] = [];
    const beforeEncode: number[] = [];
    const outsideSteps: number[] = [];

    const runs: Record<string, () => Promise<number>> = {
      render: async () => {
        // A fresh data folder each round: narration, captions, plan and encode all run.
        const data = join(dir, `data-${performance.now().toFixed(0)}`);
        const ms = await timed(process.execPath, vfo(data));
        const video = stepTimes(data).video;
        if (!video) throw new Error('the render has no video step');
        encodeStep.push(video.ms);
        beforeEncode.push(video.startOffsetMs);
        outsideSteps.push(ms - video.startOffsetMs - video.ms);
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
    const times = await alternate(runs, rounds);

    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<
      string,
      number
    >;
    const list = (k: string) => (times[k] ?? []).map(seconds).join(', ');
    const a = (m.render as number) / (m.bare as number);
    const r = (m.render as number) / (m.encoderOnly as number);
    const rNoRead = (m.render as number) / ((m.encoderOnly as number) - (m.readOnly as number));
    const b = median(rerender) / (m.render as number);
    const e = median(encodeStep) / (m.encoderOnly as number);
    const lines = [
      `video: ${(plan.durationMs / 1000).toFixed(1)} s, ${output.width}x${output.height}@${output.fps}, ${encoder}`,
      `rounds: ${rounds} (each command once per round, order rotated; medians, then every run)`,
      `vfo render (first, fresh data):   ${seconds(m.render as number)} s   [${list('render')}]`,
      `vfo render (unchanged):           ${seconds(median(rerender))} s   [${rerender.map(seconds).join(', ')}]`,
      `bare ffmpeg (this pipeline):      ${seconds(m.bare as number)} s   [${list('bare')}]`,
      `encoder-only (raw frames in):     ${seconds(m.encoderOnly as number)} s   [${list('encoderOnly')}]`,
      `  of which reading the raw frames (no decoding, timed alone): ${seconds(m.readOnly as number)} s   [${list('readOnly')}]`,
      `filter graph alone:               ${seconds(m.filters as number)} s   [${list('filters')}]`,
      `  of vfo render: steps before the encode step ${seconds(median(beforeEncode))} s   [${beforeEncode.map(seconds).join(', ')}]`,
      `  the encode step (thumbnail, parts, audio, join, verify): ${seconds(median(encodeStep))} s   [${encodeStep.map(seconds).join(', ')}]`,
      `  vfo's start before the first step and exit after the last: ${seconds(median(outsideSteps))} s   [${outsideSteps.map(seconds).join(', ')}]`,
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
      `    encode step / encoder-only = ${e.toFixed(3)}  (not a target: the encode as vfo runs it, without speech, plan and start-up)`,
      `(b) re-render / render     = ${b.toFixed(4)} (target <= 0.02) ${b <= 0.02 ? 'OK' : 'MISSED'}`,
      '',
    );
    process.stdout.write(lines.join('\n'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (options.part !== 'publishable') await benchDefaultScript();
// The publishable script's bench reads the same options.
if (options.part !== 'default') await import('./render-publishable.ts');

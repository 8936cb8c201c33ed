/**
 * npm run bench:render (second part) [-- --rounds N]
 *
 * The "publishable" script, examples/showcase — its own pictures and clip, music beds ducked under the
 * narration, crossfades between scenes, a title card and the mix normalized to the preset's loudness — rendered by `vfo render` from a
 * fresh data folder, against bare ffmpeg running the very graph vfo built for it (the same inputs, the
 * same filters: scenes, transitions, title, captions, music, gain and limiter). The commands alternate
 * over at least 3 rounds and the medians are compared. Target: render / bare ≤ 1.15 (vfo also speaks the
 * script, measures the mix's loudness before the encode and verifies the video after it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderedPlan } from './support/rendered-plan.ts';
import { alternate, median, seconds, timed } from './support/timing.ts';

const repo = resolve(import.meta.dirname, '..');
const { values: options } = parseArgs({
  // The options of render.ts, which runs this after its own script.
  options: {
    rounds: { type: 'string', default: '3' },
    'no-reference': { type: 'boolean', default: false },
    part: { type: 'string', default: 'both' },
  },
});
const rounds = Math.max(3, Number(options.rounds));

/** The example that uses every feature (examples/showcase, its media made by scripts/make-example-media.ts). */
const SHOWCASE = join(repo, 'examples', 'showcase', 'showcase.md');

const dir = await mkdtemp(join(tmpdir(), 'vfo-bench-publishable-'));
try {
  const vfo = (data: string) => [
    join(repo, 'bin', 'vfo.js'),
    'render',
    SHOWCASE,
    ...['--data', data, '--out', join(dir, 'out')],
  ];
  const firstData = join(dir, 'data-0');
  await timed(process.execPath, vfo(firstData));
  const { plan, encoder, command } = await renderedPlan(firstData, dir);
  const bare = await command('keyframes', plan, join(dir, 'bare.mp4'));

  const times = await alternate(
    {
      render: async () => {
        const data = join(dir, `data-${performance.now().toFixed(0)}`);
        const ms = await timed(process.execPath, vfo(data));
        await rm(data, { recursive: true, force: true });
        return ms;
      },
      bare: async () =>
        (bare.measure ? await timed('ffmpeg', bare.measure) : 0) + (await timed('ffmpeg', bare.args)),
    },
    rounds,
  );
  const render = median(times.render ?? []);
  const bareMs = median(times.bare ?? []);
  const ratio = render / bareMs;
  const list = (k: string) => (times[k] ?? []).map(seconds).join(', ');
  process.stdout.write(
    [
      `publishable: ${(plan.durationMs / 1000).toFixed(1)} s, ${plan.output.width}x${plan.output.height}@${plan.output.fps}, ${encoder}, ` +
        `${plan.scenes.length} scenes, music ${plan.audio.music ? 'yes' : 'no'}, loudness ${plan.audio.loudness ? `${plan.audio.loudness.targetLufs} LUFS` : 'no'}`,
      `rounds: ${rounds} (alternating; medians, then every run)`,
      `vfo render (fresh data):          ${seconds(render)} s   [${list('render')}]`,
      `bare ffmpeg (the same graph):     ${seconds(bareMs)} s   [${list('bare')}]`,
      `(c) publishable render / bare   = ${ratio.toFixed(3)}  (target <= 1.15) ${ratio <= 1.15 ? 'OK' : 'MISSED'}`,
      '',
    ].join('\n'),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}

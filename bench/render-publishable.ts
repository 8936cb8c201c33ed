/**
 * npm run bench:render (second part) [-- --rounds N]
 *
 * A "publishable" script — its own pictures, a music bed ducked under the narration, crossfades between
 * scenes, a title card and the mix normalized to the preset's loudness — rendered by `vfo render` from a
 * fresh data folder, against bare ffmpeg running the very graph vfo built for it (the same inputs, the
 * same filters: scenes, transitions, title, captions, music, gain and limiter). The commands alternate
 * over at least 3 rounds and the medians are compared. Target: render / bare ≤ 1.15 (vfo also speaks the
 * script, measures the mix's loudness before the encode and verifies the video after it).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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

const SCENES = [
  [
    'Why a studio needs a farm',
    'A single Mac renders one video at a time. A studio has twenty scripts due on Friday.',
  ],
  [
    'Pictures of its own',
    'This script brings its own pictures. They travel with it, checked by their hashes.',
  ],
  [
    'Music under the voice',
    'A music bed plays under the narration. It drops while someone speaks and returns in the pauses.',
  ],
  [
    'Ready to publish',
    'The mix is brought to the loudness the platforms play at. A thumbnail is written next to the video.',
  ],
];

/** Pictures of different colours and textures, made by ffmpeg's own sources (nothing downloaded). */
const PICTURES = [
  'testsrc2=size=1920x1080',
  'mandelbrot=size=1920x1080',
  'gradients=size=1920x1080:seed=7',
  'cellauto=size=1920x1080:rule=110',
];

function script(): string {
  const scenes = SCENES.map(
    ([heading, text], i) => `# ${heading}\n\n[image pictures/p${i}.png]\n\n${text}\n`,
  );
  return [
    '---',
    'title: Render farms for small studios',
    'subtitle: A publishable benchmark',
    'music: music/bed.wav',
    'transition: crossfade 800ms',
    '---',
    '',
    scenes.join('\n'),
  ].join('\n');
}

async function makeMedia(folder: string): Promise<void> {
  await mkdir(join(folder, 'pictures'), { recursive: true });
  await mkdir(join(folder, 'music'), { recursive: true });
  for (const [i, source] of PICTURES.entries()) {
    await timed('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      source,
      '-frames:v',
      '1',
      join(folder, 'pictures', `p${i}.png`),
    ]);
  }
  // A 20 s chord with a slow swell, looped under the video by vfo.
  const chord =
    'aevalsrc=0.2*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*0.25*t))+0.15*sin(2*PI*277.2*t)+0.12*sin(2*PI*329.6*t):s=48000:d=20';
  await timed('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    chord,
    '-ac',
    '2',
    join(folder, 'music', 'bed.wav'),
  ]);
}

const dir = await mkdtemp(join(tmpdir(), 'vfo-bench-publishable-'));
try {
  await makeMedia(dir);
  const scriptPath = join(dir, 'publishable.md');
  await writeFile(scriptPath, script());
  const vfo = (data: string) => [
    join(repo, 'bin', 'vfo.js'),
    'render',
    scriptPath,
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

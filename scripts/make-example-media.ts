/**
 * npm run examples:media [-- FOLDER]
 *
 * Makes the media of examples/showcase (or FOLDER) with ffmpeg's own sources, so every file in the repo
 * is ours to ship: nothing downloaded, no licence to check. Small on purpose (under 1 MB in all): the
 * pictures are 960x540 JPEG (scaled up by the render), the clip 4 s of 640x360, the music 16 s of AAC.
 * Re-running it makes the same kinds of files; the example's script names them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const folder = resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'examples', 'showcase'));

/** One ffmpeg run from a lavfi source; exits with ffmpeg's message if it fails. */
function make(out: string, source: string, outputArgs: string[]): void {
  mkdirSync(join(folder, out, '..'), { recursive: true });
  const args = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', source, ...outputArgs];
  const result = spawnSync('ffmpeg', [...args, join(folder, out)], { encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(`ffmpeg failed making ${out}: ${result.stderr || result.error?.message}\n`);
    process.exit(1);
  }
}

const still = ['-frames:v', '1', '-q:v', '4'];
make(
  'pictures/sky.jpg',
  'gradients=size=960x540:c0=0x12326b:c1=0x6fb7e8:c2=0xf5c98a:nb_colors=3:seed=3',
  still,
);
make('pictures/fractal.jpg', 'mandelbrot=size=960x540:start_scale=2.2', still);
make('pictures/grid.jpg', 'color=c=0x1d4d3a:s=960x540,drawgrid=w=80:h=80:t=3:c=0xd8f3dc@0.6,vignette', still);
make('thumbnail.jpg', 'gradients=size=1280x720:c0=0x2a0845:c1=0xff6a3d:seed=11', still);
make('clips/counter.mp4', 'testsrc2=size=640x360:rate=25:duration=4', [
  ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30', '-pix_fmt', 'yuv420p'],
]);
// A chord that swells every four seconds: enough to hear the bed duck under the voice.
const chord =
  'aevalsrc=(0.22*sin(2*PI*220*t)+0.16*sin(2*PI*277.18*t)+0.14*sin(2*PI*329.63*t))*(0.65+0.35*sin(2*PI*0.25*t)):s=44100:d=16';
make('music/swell.m4a', chord, ['-ac', '2', '-c:a', 'aac', '-b:a', '48k']);
const calm = 'aevalsrc=0.25*sin(2*PI*196*t)*(0.7+0.3*sin(2*PI*0.5*t))+0.12*sin(2*PI*293.66*t):s=44100:d=10';
make('music/calm.m4a', calm, ['-ac', '2', '-c:a', 'aac', '-b:a', '48k']);
process.stdout.write(`${folder}\n`);

/** Facts about the sound of real media files, measured with ffmpeg (test-only, independent of the code under test). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Integrated loudness (LUFS) and true peak (dBTP) of a file's audio, as ffmpeg's ebur128 measures them. */
export async function ebur128(path: string): Promise<{ integrated: number; truePeak: number }> {
  const { stderr } = await run(
    'ffmpeg',
    ['-hide_banner', '-nostats', '-i', path, '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]);
  const truePeak = Number(/Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1]);
  return { integrated, truePeak };
}

/**
 * RMS level (dBFS) of the audio between two times, after `filter` (e.g. a low-pass that keeps only a
 * low hum): how loud one part of a mix is at one moment.
 */
export async function levelDb(path: string, fromS: number, toS: number, filter = 'anull'): Promise<number> {
  const chain = `atrim=${fromS.toFixed(3)}:${toS.toFixed(3)},${filter},astats=measure_perchannel=none:measure_overall=RMS_level`;
  const { stderr } = await run(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-i', path, '-map', '0:a:0', '-af', chain, '-f', 'null', '-'],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const value = /RMS level dB: (-?[\d.]+|-inf)/.exec(stderr)?.[1];
  if (value === undefined) throw new Error(`no level measured in ${path} ${fromS}-${toS} s`);
  return value === '-inf' ? Number.NEGATIVE_INFINITY : Number(value);
}

/** Only a 60 Hz hum (the test's music), steeply: three narrow band-passes; a voice has next to nothing there. */
const HUM = 'bandpass=f=60:width_type=q:width=4';
export const HUM_BAND = [HUM, HUM, HUM].join(',');
/** Everything above ~200 Hz (a voice, without the hum under it). */
export const VOICE_BAND = 'highpass=f=200,highpass=f=200,highpass=f=200';

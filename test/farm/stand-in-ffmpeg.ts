/**
 * A real ffmpeg behind a shell wrapper, for a node's `--ffmpeg`, that behaves like the cases the farm
 * must survive — with no fault-injection code in the product:
 * - `videoToolbox`: `-encoders` also lists h264_videotoolbox and hevc_videotoolbox, as on a Mac.
 *   hevc_videotoolbox fails every encode (so its trial fails: a listed encoder that does not work).
 *   h264_videotoolbox passes the trial (a tiny encode to `-f null`, done by libx264 instead) but
 *   fails every real encode the way VideoToolbox does when its sessions are taken; each such failure is
 *   written to `hardwareFailures`.
 * - `breakEncodes()`: every real video encode (the only calls with `-progress pipe:1` and `-c:v`) fails
 *   until `mendEncodes()`: a worker with a broken encoder. Probes, trials and audio work pass through.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const REAL_FFMPEG_CANDIDATES = ['/usr/bin/ffmpeg', '/opt/homebrew/bin/ffmpeg', '/usr/local/bin/ffmpeg'];

export interface StandInFfmpeg {
  /** Pass as `--ffmpeg` to the node. */
  path: string;
  breakEncodes(): Promise<void>;
  mendEncodes(): Promise<void>;
  /** The real encodes h264_videotoolbox refused so far. */
  hardwareFailures(): number;
}

export async function standInFfmpeg(dir: string, options: { videoToolbox: boolean }): Promise<StandInFfmpeg> {
  const real = REAL_FFMPEG_CANDIDATES.find((candidate) => existsSync(candidate));
  if (!real) throw new Error('no ffmpeg found');
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  const broken = join(dir, 'broken');
  const failures = join(dir, 'hardware-failures.log');
  const path = join(bin, 'ffmpeg');
  const lines = [
    '#!/bin/sh',
    `REAL='${real}'`,
    'case " $* " in',
    `  *" -progress pipe:1 "*" -c:v "*) if [ -e '${broken}' ]; then echo 'stand-in: the encoder is broken on this worker' >&2; exit 1; fi ;;`,
    'esac',
  ];
  if (options.videoToolbox) {
    lines.push(
      'case " $* " in',
      '  *" -encoders "*)',
      '    "$REAL" "$@" || exit $?',
      "    echo ' V....D h264_videotoolbox    VideoToolbox H.264 Encoder (stand-in)'",
      "    echo ' V....D hevc_videotoolbox    VideoToolbox H.265 Encoder (stand-in)'",
      '    exit 0 ;;',
      '  *" hevc_videotoolbox "*)',
      "    echo '[hevc_videotoolbox @ 0x7f] Error: cannot create compression session: -12908' >&2",
      '    exit 1 ;;',
      '  *" h264_videotoolbox "*" -f null "*) ;;',
      '  *" h264_videotoolbox "*)',
      `    echo refused >> '${failures}'`,
      "    echo '[h264_videotoolbox @ 0x7f] Error: cannot create compression session: -12903' >&2",
      "    echo 'Error initializing output stream 0:0 -- Error while opening encoder for output stream #0:0' >&2",
      '    exit 1 ;;',
      '  *) exec "$REAL" "$@" ;;',
      'esac',
      // The trial: the same command with libx264 in place of h264_videotoolbox (and without its options).
      'first=1; skip=0',
      'for arg in "$@"; do',
      '  if [ $first = 1 ]; then set --; first=0; fi',
      '  if [ $skip = 1 ]; then skip=0; continue; fi',
      '  case "$arg" in',
      '    h264_videotoolbox) set -- "$@" libx264 ;;',
      '    -allow_sw) skip=1 ;;',
      '    *) set -- "$@" "$arg" ;;',
      '  esac',
      'done',
    );
  }
  lines.push('exec "$REAL" "$@"', '');
  await writeFile(path, lines.join('\n'));
  await chmod(path, 0o755);
  return {
    path,
    breakEncodes: () => writeFile(broken, ''),
    mendEncodes: () => rm(broken, { force: true }),
    hardwareFailures: () =>
      existsSync(failures) ? readFileSync(failures, 'utf8').split('\n').filter(Boolean).length : 0,
  };
}

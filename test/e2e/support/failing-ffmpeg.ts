/**
 * A real ffmpeg behind a wrapper that fails the final video encode (the only call with
 * `-movflags +faststart`) while a switch file exists: a genuine step failure the UI can then retry,
 * with no fault-injection code in the product. Probes (-version, -encoders) and audio work pass through.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const REAL_FFMPEG_CANDIDATES = ['/usr/bin/ffmpeg', '/opt/homebrew/bin/ffmpeg', '/usr/local/bin/ffmpeg'];

export interface FailingFfmpeg {
  /** Pass as `--ffmpeg` to the node. */
  path: string;
  failEncodes(): Promise<void>;
  allowEncodes(): Promise<void>;
}

export async function failingFfmpeg(dir: string): Promise<FailingFfmpeg> {
  const real =
    process.env.VFO_E2E_FFMPEG ?? REAL_FFMPEG_CANDIDATES.find((candidate) => existsSync(candidate));
  if (!real) throw new Error('no ffmpeg found; set VFO_E2E_FFMPEG');
  const bin = join(dir, 'bin');
  const switchFile = join(dir, 'fail-encodes');
  await mkdir(bin, { recursive: true });
  const path = join(bin, 'ffmpeg');
  await writeFile(
    path,
    [
      '#!/bin/sh',
      'case " $* " in',
      `  *" +faststart "*) if [ -e '${switchFile}' ]; then echo 'e2e: simulated encoder failure' >&2; exit 1; fi ;;`,
      'esac',
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return {
    path,
    failEncodes: () => writeFile(switchFile, ''),
    allowEncodes: () => rm(switchFile, { force: true }),
  };
}

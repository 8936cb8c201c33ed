/**
 * Finds ffmpeg (and ffprobe) on this machine. A GUI app launched from Finder gets a minimal PATH,
 * so Homebrew's folders are searched before PATH; a bundled copy is the last resort.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, delimiter as hostDelimiter, join } from 'node:path';
import { FfmpegError } from './errors.ts';

export type FfmpegSource = 'configured' | 'homebrew' | 'usr-local' | 'path' | 'bundled';

export interface LocateOptions {
  /** A user-configured ffmpeg binary (or the folder holding it). Must work if set: no silent fallback. */
  configuredPath?: string;
  /** Folder of an ffmpeg shipped with the app. */
  bundledDir?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Overrides the well-known folders (tests point them at fake folders). */
  knownDirs?: { homebrew: string; usrLocal: string };
}

export interface FfmpegLocation {
  ffmpegPath: string;
  ffprobePath: string | null;
  source: FfmpegSource;
}

interface Candidate {
  dir: string;
  source: FfmpegSource;
}

const DEFAULT_KNOWN_DIRS = { homebrew: '/opt/homebrew/bin', usrLocal: '/usr/local/bin' };

export async function locateFfmpeg(options: LocateOptions = {}): Promise<FfmpegLocation> {
  const platform = options.platform ?? process.platform;
  const exe = (name: string) => (platform === 'win32' ? `${name}.exe` : name);
  const candidates = searchOrder(options, platform);

  if (options.configuredPath) {
    const ffmpegPath = await resolveConfigured(options.configuredPath, exe('ffmpeg'));
    const ffprobePath = await findBeside(ffmpegPath, exe('ffprobe'), candidates);
    return { ffmpegPath, ffprobePath, source: 'configured' };
  }

  const searched: string[] = [];
  for (const candidate of candidates) {
    const path = join(candidate.dir, exe('ffmpeg'));
    searched.push(path);
    if (await isExecutableFile(path)) {
      const ffprobePath = await findBeside(path, exe('ffprobe'), candidates);
      return { ffmpegPath: path, ffprobePath, source: candidate.source };
    }
  }
  throw new FfmpegError(
    'not-found',
    `ffmpeg was not found. Searched: ${searched.join(', ') || '(nowhere: PATH is empty)'}. ` +
      'Install it (e.g. "brew install ffmpeg") or set the ffmpeg path in the settings.',
  );
}

function searchOrder(options: LocateOptions, platform: NodeJS.Platform): Candidate[] {
  const known = options.knownDirs ?? DEFAULT_KNOWN_DIRS;
  const env = options.env ?? process.env;
  const list: Candidate[] = [];
  if (platform !== 'win32') {
    list.push({ dir: known.homebrew, source: 'homebrew' }, { dir: known.usrLocal, source: 'usr-local' });
  }
  const pathVar = env.PATH ?? env.Path ?? '';
  const delimiter = platform === 'win32' ? ';' : platform === process.platform ? hostDelimiter : ':';
  for (const dir of pathVar.split(delimiter)) {
    if (dir) list.push({ dir, source: 'path' });
  }
  if (options.bundledDir) list.push({ dir: options.bundledDir, source: 'bundled' });
  // The same folder can appear twice (e.g. /usr/local/bin on PATH); search it once, first label wins.
  const seen = new Set<string>();
  return list.filter((candidate) => {
    if (seen.has(candidate.dir)) return false;
    seen.add(candidate.dir);
    return true;
  });
}

async function resolveConfigured(configured: string, exeName: string): Promise<string> {
  const info = await stat(configured).catch(() => null);
  const path = info?.isDirectory() ? join(configured, exeName) : configured;
  if (await isExecutableFile(path)) return path;
  const problem = info ? 'is not an executable file' : 'does not exist';
  throw new FfmpegError(
    'not-found',
    `The configured ffmpeg path "${configured}" ${problem}. Fix or clear it in the settings.`,
  );
}

/** ffprobe from the same install as ffmpeg is preferred: versions then match. */
async function findBeside(
  ffmpegPath: string,
  exeName: string,
  candidates: Candidate[],
): Promise<string | null> {
  const beside = join(dirname(ffmpegPath), exeName);
  if (await isExecutableFile(beside)) return beside;
  for (const candidate of candidates) {
    const path = join(candidate.dir, exeName);
    if (await isExecutableFile(path)) return path;
  }
  return null;
}

export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

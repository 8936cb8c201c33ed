/**
 * What this machine's ffmpeg can do (encoders, filters), cached per binary so a repeated CLI run
 * does not pay for three ffmpeg launches (~100 ms each, 0.5 CPU-s together) every time; the app keeps
 * the cache in the machine's cache folder, so a new data folder does not pay for them either.
 */
import { readFile, stat } from 'node:fs/promises';
import { createLogger } from '../log/logger.ts';
import { writeFileAtomically } from '../util/atomic-file.ts';
import { FfmpegError } from './errors.ts';
import { captureOutput } from './exec.ts';

const log = createLogger('FfmpegProbe');

export interface FfmpegProbe {
  path: string;
  version: string;
  encoders: string[];
  filters: string[];
  hasVideoToolbox: boolean;
  hasLibass: boolean;
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  probe: FfmpegProbe;
}

interface CacheFile {
  version: 1;
  entries: Record<string, CacheEntry>;
}

export async function probeFfmpeg(
  ffmpegPath: string,
  options: { cacheFile?: string } = {},
): Promise<FfmpegProbe> {
  const binary = await stat(ffmpegPath).catch(() => null);
  if (!binary?.isFile()) throw new FfmpegError('not-found', `ffmpeg not found at "${ffmpegPath}"`);

  const cache = options.cacheFile ? await readCache(options.cacheFile) : null;
  const cached = cache?.entries[ffmpegPath];
  // mtime + size identify the binary well enough: an upgrade (brew upgrade) changes both.
  if (cached && cached.mtimeMs === binary.mtimeMs && cached.size === binary.size) return cached.probe;

  const probe = await runProbe(ffmpegPath);
  if (options.cacheFile) {
    const entries = {
      ...(await stillInstalled(cache?.entries ?? {})),
      [ffmpegPath]: { mtimeMs: binary.mtimeMs, size: binary.size, probe },
    };
    const next: CacheFile = { version: 1, entries };
    // A cache that cannot be written only costs time next run; never fail the probe for it.
    await writeFileAtomically(options.cacheFile, JSON.stringify(next, null, 2)).catch((error: unknown) =>
      log.warn('could not write the ffmpeg probe cache', {
        cacheFile: options.cacheFile,
        error: String(error),
      }),
    );
  }
  return probe;
}

async function runProbe(ffmpegPath: string): Promise<FfmpegProbe> {
  const run = async (flag: string) => {
    const out = await captureOutput(ffmpegPath, ['-hide_banner', flag]).catch((error: unknown) => {
      throw new FfmpegError('probe-failed', `could not run "${ffmpegPath} ${flag}": ${String(error)}`);
    });
    if (out.code !== 0) {
      throw new FfmpegError(
        'probe-failed',
        `"${ffmpegPath} ${flag}" exited with ${out.code}: ${out.stderr.trim().slice(-500)}`,
      );
    }
    return out.stdout;
  };
  const [versionText, encodersText, filtersText] = await Promise.all([
    run('-version'),
    run('-encoders'),
    run('-filters'),
  ]);
  const encoders = parseEncoders(encodersText);
  const filters = parseFilters(filtersText);
  if (encoders.length === 0) throw new FfmpegError('probe-failed', `"${ffmpegPath}" lists no encoders`);
  return {
    path: ffmpegPath,
    version: parseVersion(versionText),
    encoders,
    filters,
    hasVideoToolbox: encoders.some((name) => name.endsWith('_videotoolbox')),
    hasLibass: filters.includes('subtitles') || filters.includes('ass'),
  };
}

/** The cache is shared by every data folder on the machine: binaries that are gone are forgotten. */
async function stillInstalled(entries: Record<string, CacheEntry>): Promise<Record<string, CacheEntry>> {
  const kept = await Promise.all(
    Object.entries(entries).map(async ([path, entry]) =>
      (await stat(path).catch(() => null))?.isFile() ? [[path, entry] as const] : [],
    ),
  );
  return Object.fromEntries(kept.flat());
}

async function readCache(cacheFile: string): Promise<CacheFile | null> {
  try {
    const parsed = JSON.parse(await readFile(cacheFile, 'utf8')) as Partial<CacheFile>;
    return parsed.version === 1 && parsed.entries && typeof parsed.entries === 'object'
      ? (parsed as CacheFile)
      : null;
  } catch {
    return null;
  }
}

/** "ffmpeg version 5.1.9-0+deb12u1 Copyright ..." → "5.1.9-0+deb12u1". */
export function parseVersion(text: string): string {
  return /ffmpeg version (\S+)/.exec(text)?.[1] ?? 'unknown';
}

/** Rows after the "------" line look like " V....D libx264   libx264 H.264 ...". */
export function parseEncoders(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^\s*-{3,}\s*$/.test(line));
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^\s*[VAS][A-Z.]{5}\s+(\S+)/.exec(line);
    if (match?.[1]) names.push(match[1]);
  }
  return names;
}

/** Rows look like " TSC zoompan   V->V   Apply Zoom & Pan effect."; legend rows have no "->". */
export function parseFilters(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*[A-Z.]{2,3}\s+(\S+)\s+\S*->\S*\s/.exec(line);
    if (match?.[1]) names.push(match[1]);
  }
  return names;
}

/** The first preferred encoder this ffmpeg has. */
export function selectEncoder(preferred: string[], probe: FfmpegProbe): string {
  const available = new Set(probe.encoders);
  const found = preferred.find((name) => available.has(name));
  if (found) return found;
  const videoEncoders = probe.encoders.filter((name) => /264|265|hevc|videotoolbox/.test(name));
  throw new FfmpegError(
    'encoder-unavailable',
    `None of the wanted encoders (${preferred.join(', ')}) exists in ${probe.path} (ffmpeg ${probe.version}). ` +
      `H.264/HEVC encoders it has: ${videoEncoders.join(', ') || 'none'}.`,
  );
}

/** The preferred encoders this ffmpeg has, in order of preference (the plan's fallbacks); throws like selectEncoder. */
export function usableEncoders(
  preferred: string[],
  available: readonly string[],
  probe: FfmpegProbe,
): string[] {
  const have = new Set(available);
  const usable = preferred.filter((name) => have.has(name));
  if (usable.length > 0) return usable;
  return [selectEncoder(preferred, { ...probe, encoders: [...available] })];
}

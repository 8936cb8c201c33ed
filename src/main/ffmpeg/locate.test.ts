import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFfmpegError } from './errors.ts';
import { type LocateOptions, locateFfmpeg } from './locate.ts';
import { makeTempDir, writeScript } from './test-fixtures.ts';

describe('locateFfmpeg', () => {
  let root: { dir: string; cleanup: () => void };
  let dirs: Record<'homebrew' | 'usrLocal' | 'path1' | 'path2' | 'bundled', string>;
  let options: LocateOptions;

  beforeEach(() => {
    root = makeTempDir('vf-locate-');
    dirs = {
      homebrew: join(root.dir, 'opt-homebrew-bin'),
      usrLocal: join(root.dir, 'usr-local-bin'),
      path1: join(root.dir, 'path one'),
      path2: join(root.dir, 'path2'),
      bundled: join(root.dir, 'bundled'),
    };
    for (const dir of Object.values(dirs)) mkdirSync(dir);
    options = {
      platform: 'darwin',
      env: { PATH: `${dirs.path1}:${dirs.path2}` },
      bundledDir: dirs.bundled,
      knownDirs: { homebrew: dirs.homebrew, usrLocal: dirs.usrLocal },
    };
  });
  afterEach(() => root.cleanup());

  const fake = (dir: string, name = 'ffmpeg') => writeScript(join(dir, name), 'echo fake');

  it('prefers Homebrew, then /usr/local/bin, then PATH, then the bundled copy', async () => {
    for (const dir of [dirs.bundled, dirs.path2, dirs.path1, dirs.usrLocal, dirs.homebrew]) fake(dir);
    expect(await locateFfmpeg(options)).toMatchObject({
      ffmpegPath: join(dirs.homebrew, 'ffmpeg'),
      source: 'homebrew',
    });
    chmodSync(join(dirs.homebrew, 'ffmpeg'), 0o644);
    expect(await locateFfmpeg(options)).toMatchObject({
      ffmpegPath: join(dirs.usrLocal, 'ffmpeg'),
      source: 'usr-local',
    });
    chmodSync(join(dirs.usrLocal, 'ffmpeg'), 0o644);
    expect(await locateFfmpeg(options)).toMatchObject({
      ffmpegPath: join(dirs.path1, 'ffmpeg'),
      source: 'path',
    });
    chmodSync(join(dirs.path1, 'ffmpeg'), 0o644);
    expect(await locateFfmpeg(options)).toMatchObject({
      ffmpegPath: join(dirs.path2, 'ffmpeg'),
      source: 'path',
    });
    chmodSync(join(dirs.path2, 'ffmpeg'), 0o644);
    expect(await locateFfmpeg(options)).toMatchObject({
      ffmpegPath: join(dirs.bundled, 'ffmpeg'),
      source: 'bundled',
    });
  });

  it('takes ffprobe from beside ffmpeg first, then from the same search order', async () => {
    fake(dirs.path2);
    fake(dirs.path2, 'ffprobe');
    fake(dirs.homebrew, 'ffprobe');
    expect((await locateFfmpeg(options)).ffprobePath).toBe(join(dirs.path2, 'ffprobe'));

    chmodSync(join(dirs.path2, 'ffprobe'), 0o644);
    expect((await locateFfmpeg(options)).ffprobePath).toBe(join(dirs.homebrew, 'ffprobe'));

    chmodSync(join(dirs.homebrew, 'ffprobe'), 0o644);
    expect((await locateFfmpeg(options)).ffprobePath).toBeNull();
  });

  it('uses a configured binary or folder', async () => {
    fake(dirs.homebrew);
    const custom = join(root.dir, 'custom');
    mkdirSync(custom);
    fake(custom);
    fake(custom, 'ffprobe');
    const byFile = await locateFfmpeg({ ...options, configuredPath: join(custom, 'ffmpeg') });
    expect(byFile).toEqual({
      ffmpegPath: join(custom, 'ffmpeg'),
      ffprobePath: join(custom, 'ffprobe'),
      source: 'configured',
    });
    expect(await locateFfmpeg({ ...options, configuredPath: custom })).toMatchObject({
      ffmpegPath: join(custom, 'ffmpeg'),
      source: 'configured',
    });
  });

  it('fails clearly instead of falling back when the configured path is unusable', async () => {
    fake(dirs.homebrew);
    const notExecutable = writeScript(join(root.dir, 'ffmpeg-copy'), 'echo', 0o644);
    await expect(locateFfmpeg({ ...options, configuredPath: notExecutable })).rejects.toThrow(
      `"${notExecutable}" is not an executable file`,
    );
    const missing = join(root.dir, 'nowhere', 'ffmpeg');
    const error = await locateFfmpeg({ ...options, configuredPath: missing }).catch((e: unknown) => e);
    expect(isFfmpegError(error, 'not-found')).toBe(true);
    expect(String(error)).toContain(`"${missing}" does not exist`);
  });

  it('lists every place it searched when ffmpeg is nowhere', async () => {
    writeScript(join(dirs.path1, 'ffmpeg'), 'echo', 0o644); // present but not executable: skipped
    const error = await locateFfmpeg(options).catch((e: unknown) => e);
    expect(isFfmpegError(error, 'not-found')).toBe(true);
    for (const dir of Object.values(dirs)) expect(String(error)).toContain(join(dir, 'ffmpeg'));
  });

  it('skips the Homebrew folders on Windows and looks for ffmpeg.exe on PATH', async () => {
    fake(dirs.homebrew);
    writeScript(join(dirs.path2, 'ffmpeg.exe'), 'echo');
    const found = await locateFfmpeg({
      ...options,
      platform: 'win32',
      env: { Path: `${dirs.path1};${dirs.path2}` },
    });
    expect(found).toMatchObject({ ffmpegPath: join(dirs.path2, 'ffmpeg.exe'), source: 'path' });
  });
});

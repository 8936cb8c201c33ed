import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFfmpegError } from './errors.ts';
import { type FfmpegProbe, parseEncoders, parseFilters, probeFfmpeg, selectEncoder } from './probe.ts';
import { FFMPEG, makeTempDir, writeScript } from './test-fixtures.ts';

const ENCODERS_TEXT = `Encoders:
 V..... = Video
 A..... = Audio
 ------
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V....D h264_videotoolbox    VideoToolbox H.264 Encoder (codec h264)
 A....D aac                  AAC (Advanced Audio Coding)
`;
const FILTERS_TEXT = `Filters:
  T.. = Timeline support
  A = Audio input/output
 ... zoompan           V->V       Apply Zoom & Pan effect.
 ... subtitles         V->V       Render text subtitles onto input video using the libass library.
 ... color             |->V       Provide an uniformly colored input.
`;

describe('probeFfmpeg', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeEach(() => {
    tmp = makeTempDir('vf-probe-');
  });
  afterEach(() => tmp.cleanup());

  it('reads version, encoders and filters from the real ffmpeg', async () => {
    const probe = await probeFfmpeg(FFMPEG);
    expect(probe.path).toBe(FFMPEG);
    expect(probe.version).toMatch(/^\d+\.\d+/);
    expect(probe.encoders).toEqual(expect.arrayContaining(['libx264', 'aac']));
    expect(probe.filters).toEqual(
      expect.arrayContaining(['zoompan', 'subtitles', 'sidechaincompress', 'concat']),
    );
    expect(probe.encoders).not.toContain('=');
    expect(probe.hasLibass).toBe(true);
    expect(probe.hasVideoToolbox).toBe(false);
  });

  it('caches per binary and probes again when the binary changes', async () => {
    const calls = join(tmp.dir, 'calls.log');
    const fake = writeScript(
      join(tmp.dir, 'ffmpeg'),
      [
        `echo "$2" >> "${calls}"`,
        'case "$2" in',
        '  -version) echo "ffmpeg version 9.9-fake Copyright";;',
        `  -encoders) cat <<'X'\n${ENCODERS_TEXT}X\n;;`,
        `  -filters) cat <<'X'\n${FILTERS_TEXT}X\n;;`,
        'esac',
      ].join('\n'),
    );
    const cacheFile = join(tmp.dir, 'cache', 'ffmpeg-probe.json');
    const callCount = () => readFileSync(calls, 'utf8').trim().split('\n').length;

    const first = await probeFfmpeg(fake, { cacheFile });
    expect(first).toEqual({
      path: fake,
      version: '9.9-fake',
      encoders: ['libx264', 'h264_videotoolbox', 'aac'],
      filters: ['zoompan', 'subtitles', 'color'],
      hasVideoToolbox: true,
      hasLibass: true,
    });
    expect(callCount()).toBe(3);

    expect(await probeFfmpeg(fake, { cacheFile })).toEqual(first);
    expect(callCount()).toBe(3);

    appendFileSync(fake, '# upgraded\n');
    await probeFfmpeg(fake, { cacheFile });
    expect(callCount()).toBe(6);
  });

  it('forgets binaries that are gone when it writes the cache (every data folder shares it)', async () => {
    const fake = (name: string) =>
      writeScript(
        join(tmp.dir, name),
        [
          'case "$2" in',
          '  -version) echo "ffmpeg version 9.9-fake Copyright";;',
          `  -encoders) cat <<'X'\n${ENCODERS_TEXT}X\n;;`,
          '  -filters) ;;',
          'esac',
        ].join('\n'),
      );
    const cacheFile = join(tmp.dir, 'cache', 'ffmpeg-probe.json');
    const cached = () => Object.keys(JSON.parse(readFileSync(cacheFile, 'utf8')).entries).sort();
    const [a, b, c] = [fake('ffmpeg-a'), fake('ffmpeg-b'), fake('ffmpeg-c')];
    await probeFfmpeg(a, { cacheFile });
    await probeFfmpeg(b, { cacheFile });
    expect(cached()).toEqual([a, b]);
    rmSync(a);
    await probeFfmpeg(c, { cacheFile });
    expect(cached()).toEqual([b, c]);
  });

  it('reports a broken binary as probe-failed and a missing one as not-found', async () => {
    const broken = writeScript(join(tmp.dir, 'ffmpeg'), 'echo "cannot load libavcodec" >&2; exit 127');
    const error = await probeFfmpeg(broken).catch((e: unknown) => e);
    expect(isFfmpegError(error, 'probe-failed')).toBe(true);
    expect(String(error)).toContain('cannot load libavcodec');
    const missing = await probeFfmpeg(join(tmp.dir, 'nope')).catch((e: unknown) => e);
    expect(isFfmpegError(missing, 'not-found')).toBe(true);
  });
});

describe('probe output parsing', () => {
  it('skips legend rows', () => {
    expect(parseEncoders(ENCODERS_TEXT)).toEqual(['libx264', 'h264_videotoolbox', 'aac']);
    expect(parseFilters(FILTERS_TEXT)).toEqual(['zoompan', 'subtitles', 'color']);
  });
});

describe('selectEncoder', () => {
  const probe: FfmpegProbe = {
    path: '/x/ffmpeg',
    version: '7.1',
    encoders: ['aac', 'libx264', 'libx265', 'mpeg4'],
    filters: [],
    hasVideoToolbox: false,
    hasLibass: true,
  };

  it('returns the first preferred encoder that exists', () => {
    expect(selectEncoder(['h264_videotoolbox', 'libx264'], probe)).toBe('libx264');
    expect(selectEncoder(['libx265', 'libx264'], probe)).toBe('libx265');
  });

  it('lists what was wanted and what exists when none is there', () => {
    const error = (() => {
      try {
        return selectEncoder(['h264_videotoolbox', 'h264_nvenc'], probe);
      } catch (e) {
        return e;
      }
    })();
    expect(isFfmpegError(error, 'encoder-unavailable')).toBe(true);
    expect(String(error)).toContain('h264_videotoolbox, h264_nvenc');
    expect(String(error)).toContain('libx264, libx265');
  });
});

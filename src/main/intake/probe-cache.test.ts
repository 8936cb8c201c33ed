import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FFMPEG, solidPngBytes, writeScript } from '../ffmpeg/test-fixtures.ts';
import { parseScriptFile } from '../script/parser.ts';
import { mediaContentProblems } from './media-content.ts';
import { ProbeCache } from './probe-cache.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-probe-cache-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

// Found by attacking budgets: a script of 2,000 pictures took minutes to check, each time again.
describe('the media probe cache', () => {
  it('looks at a medium once until the file changes, and keeps what it learned in the data folder', async () => {
    const log = join(dir, 'probes.log');
    const ffprobe = writeScript(join(dir, 'ffprobe'), `echo "$@" >> "${log}"; exec ffprobe "$@"`);
    const ffmpeg = { ffmpegPath: FFMPEG, ffprobePath: ffprobe };
    const data = join(dir, 'data');
    const script = join(dir, 'talk.md');
    await writeFile(join(dir, 'a.png'), solidPngBytes('red'));
    await writeFile(join(dir, 'b.png'), 'not a picture');
    await writeFile(script, '# A\n\nOne. [image a.png]\n\n# B\n\nTwo. [image b.png]\n');
    const places = { scriptDir: dir, roots: [], protectedDirs: [data] };
    const check = async () => {
      const parsed = await parseScriptFile(script, { media: places });
      if (!parsed.ok) throw new Error('the script parses');
      const cache = await ProbeCache.open(data);
      const problems = await mediaContentProblems(parsed.document, places, ffmpeg, cache);
      await cache.save();
      return problems.map((p) => p.message);
    };
    const probes = async () => (await readFile(log, 'utf8')).trim().split('\n').length;
    const unreadable = ['image "b.png" cannot be read as a picture'];
    expect(await check()).toEqual(unreadable);
    expect(await probes()).toBe(2);
    // Again: the good picture is known; the unreadable one is asked again (a probe may have timed out).
    expect(await check()).toEqual(unreadable);
    expect(await probes()).toBe(3);
    // Written since: looked at again, and judged on what it is now.
    await writeFile(join(dir, 'a.png'), solidPngBytes('blue', 16, 20000));
    expect(await check()).toEqual([
      'image "a.png" is 16x20000 pixels; the limit is 16384 on a side',
      ...unreadable,
    ]);
    expect(await probes()).toBe(5);
    // A cache file that does not read is no cache.
    await writeFile(join(data, 'cache', 'media-probes.json'), '{"version": 1, "entries": 5');
    expect(await check()).toHaveLength(2);
    expect(await probes()).toBe(7);
  });
});

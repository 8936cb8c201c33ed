/**
 * Acceptance: every invalid script exits 2 with file:line:col messages, no stack trace, nothing
 * rendered, and bounded memory even for a 30 MB file.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidPngBytes } from '../src/main/ffmpeg/test-fixtures.ts';
import { pngHeader } from '../src/main/intake/png-cost.fixture.ts';
import { canonicalWavHeader } from '../src/main/speech/wav-header.ts';
import { cleanEnv, hasStackTrace, runVfo, tempDir, VFO } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await tempDir('vfo-invalid-');
  env = { VFO_DATA_DIR: join(dir.path, 'data') };
});
afterAll(async () => dir?.remove());

const CASES: [name: string, content: string | Buffer, expected: RegExp][] = [
  ['empty.md', '', /empty\.md:1:1: error: .*empty/],
  ['binary.md', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff, 0xfe]), /binary\.md:\d+:\d+: error: /],
  ['frontmatter.md', '---\ntitle: Open\n\n# Scene\nText.\n', /frontmatter\.md:1:1: error: .*front matter/],
  [
    'unknown.md',
    '# Scene\n\nHello [frobnicate] world.\n',
    /unknown\.md:3:7: error: .*unknown stage direction/,
  ],
  ['unclosed.md', '# Scene\n\nHello [pause 300ms world.\n', /unclosed\.md:3:7: error: .*unclosed/],
  ['absurd.md', '# Scene\n\nWait [pause 5h] then [rate +900%] go.\n', /absurd\.md:3:6: error: /],
  // Found by attacking output paths: the name fitted, its partial file did not, after the whole render.
  [
    `${'n'.repeat(240)}.md`,
    '# Scene\n\nHello.\n',
    /n{240}\.md:1:1: error: the video's name n{240}\.mp4 is too long/,
  ],
  [
    'voice.md',
    '# Scene\n\nHello there. [voice nope] Second sentence.\n',
    /voice\.md:3:14: error: espeak-ng has no voice "nope"/,
  ],
];

describe('vfo render with invalid scripts', () => {
  it.each(CASES)('%s exits 2 with a located message', async (name, content, expected) => {
    const path = join(dir.path, name);
    await writeFile(path, content);
    const result = await runVfo(['render', path, '--out', join(dir.path, 'out')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stdout).toBe('');
    expect(await readdir(join(dir.path, 'out')).catch(() => [])).toEqual([]);
  });

  it('reports every problem of a script, not just the first', async () => {
    const path = join(dir.path, 'many.md');
    await writeFile(path, '# A\n\nOne [nope] two [pause 99s].\n\n# B\n\nThree [style] four [voice].\n');
    const result = await runVfo(['check', path], env);
    expect(result.code).toBe(2);
    expect(result.stderr.match(/many\.md:\d+:\d+: error:/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('rejects a 30 MB file quickly and without reading it into memory', async () => {
    const big = join(dir.path, 'huge.md');
    await writeFile(big, '# Scene\n\nWords.\n');
    await truncate(big, 30 * 1024 * 1024);
    const small = join(dir.path, 'empty.md');
    const peakKb = async (path: string) => {
      const { stderr } = await promisify(execFile)(
        '/usr/bin/time',
        ['-f', 'PEAK %M', process.execPath, VFO, 'check', path],
        {
          env: cleanEnv(env),
        },
      ).catch((e: { stderr: string }) => e);
      return { kb: Number(/PEAK (\d+)/.exec(stderr)?.[1]), stderr };
    };
    const huge = await peakKb(big);
    const baseline = await peakKb(small);
    expect(huge.stderr).toMatch(/huge\.md:1:1: error: .*30\.0 MB.*limit/);
    expect(hasStackTrace(huge.stderr)).toBe(false);
    // Reading 30 MB as text would cost well over 30 MB; the check must stay near a trivial run.
    expect(huge.kb - baseline.kb).toBeLessThan(15 * 1024);
  });

  it('exits 2 for usage mistakes without a stack trace', async () => {
    for (const args of [['render'], ['render', '--bogus', 'x.md'], ['nonsense'], ['jobs', 'show', 'nope']]) {
      const result = await runVfo(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
  });

  it('says a mistyped --data of jobs and gc is no data folder, and makes none there', async () => {
    const typo = join(dir.path, 'dtaa');
    for (const args of [['jobs'], ['gc'], ['gc', '--keep-free', '5GB']]) {
      const result = await runVfo([...args, '--data', typo], env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim()).toBe(
        `vfo: --data ${typo}: no data folder there (it has no vfo.db); check the path`,
      );
    }
    await expect(readdir(typo)).rejects.toThrow(/ENOENT/);
  });
});

// Found by attacking `vfo check` and `vfo render` with hostile scripts and media.
describe('vfo with hostile media and text', () => {
  // Found by attacking scripts: ffprobe printed the tag, past the 32 MB its output may fill, and the
  // check failed with "stdout maxBuffer length exceeded", unplaced, exit 1.
  it('reads a music bed whose tag holds 40 MB of text', async () => {
    const folder = join(dir.path, 'tagged');
    await mkdir(folder, { recursive: true });
    const plain = join(folder, 'plain.mp3');
    await promisify(execFile)('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'libmp3lame'],
      plain,
    ]);
    // An ID3v2.3 tag of one TXXX frame, before the MPEG frames (as a tagger writes it).
    const text = Buffer.concat([Buffer.from([0]), Buffer.from('big\0'), Buffer.alloc(40 * 1024 * 1024, 'a')]);
    const frame = Buffer.alloc(10);
    frame.write('TXXX', 0);
    frame.writeUInt32BE(text.length, 4);
    const size = frame.length + text.length;
    const synchsafe = [21, 14, 7, 0].map((shift) => (size >> shift) & 0x7f);
    const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, ...synchsafe]);
    await writeFile(join(folder, 'big.mp3'), Buffer.concat([header, frame, text, await readFile(plain)]));
    await writeFile(join(folder, 'bed.md'), '# S\n\nHi there. [music big.mp3]\n');
    const result = await runVfo(['check', join(folder, 'bed.md')], env);
    expect(result.stderr).not.toMatch(/maxBuffer/);
    expect(result.code, result.stderr).toBe(0);
  });

  it('a picture ffmpeg cannot read, or one too wide, stops the render at its place before any encode', async () => {
    const folder = join(dir.path, 'pictures');
    await mkdir(join(folder, 'pics'), { recursive: true });
    await writeFile(join(folder, 'pics', 'empty.png'), '');
    await writeFile(join(folder, 'pics', 'text.jpg'), 'not a picture\n');
    await promisify(execFile)('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=17000x16', '-frames:v', '1'],
      join(folder, 'pics', 'wide.png'),
    ]);
    // Found by attacking scripts: the same size as a clip was encoded.
    await promisify(execFile)('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=17000x16:r=5', '-frames:v', '2'],
      ...['-c:v', 'ffv1', join(folder, 'pics', 'wide.mkv')],
    ]);
    // Found by attacking media: a 2 MB PNG of 16384x16000 16-bit RGBA took 2 GB and 31 s to probe,
    // and was then called unreadable. Its header is all that is read now (here it is all there is).
    await writeFile(join(folder, 'pics', 'deep.png'), pngHeader(16_384, 16_000, 16, 6));
    // A clip whose header describes video of which no frame decodes passed the check and failed the
    // plan after the narration.
    await promisify(execFile)('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=64x64:r=5:d=1', '-c:v', 'libx264'],
      ...['-bsf:v', 'filter_units=remove_types=1|5', join(folder, 'pics', 'noslice.mp4')],
    ]);
    const cases = [
      [
        '# A\n\nHello there. [image pics/deep.png]\n',
        '3:14',
        'image "pics/deep.png" would take 2.0 GB to decode (16384x16000, 16 bits a channel); the limit is 1.0 GB',
      ],
      ['# A\n\nHello there. [clip pics/noslice.mp4]\n', '3:14', 'clip "pics/noslice.mp4" has no video'],
      [
        '# A\n\nHello there. [clip pics/wide.mkv]\n',
        '3:14',
        'clip "pics/wide.mkv" is 17000x16 pixels; the limit is 16384 on a side',
      ],
      [
        '# A\n\nHello there. [image pics/empty.png]\n',
        '3:14',
        'image "pics/empty.png" cannot be read as a picture',
      ],
      [
        '# A\n\nHello there. [image pics/wide.png]\n',
        '3:14',
        'image "pics/wide.png" is 17000x16 pixels; the limit is 16384 on a side',
      ],
      [
        '---\nthumbnail: pics/text.jpg\n---\n# A\n\nHello there.\n',
        '2:12',
        'image "pics/text.jpg" cannot be read as a picture',
      ],
      // The pictures are probed side by side; with several broken, each is reported, in the script's
      // order, though the empty one (and the thumbnail) is answered sooner.
      [
        '---\nthumbnail: pics/text.jpg\n---\n# A\n\nHello there. [image pics/wide.png]\n\n# B\n\nAgain. [image pics/empty.png]\n',
        '6:14',
        'image "pics/wide.png" is 17000x16 pixels; the limit is 16384 on a side',
      ],
    ];
    // A data folder of its own: the refusals are shown to leave no job behind.
    const own = { VFO_DATA_DIR: join(folder, 'data') };
    for (const [text, at, message] of cases) {
      const script = join(folder, 'pic.md');
      await writeFile(script, text as string);
      const result = await runVfo(['render', script, '--out', join(folder, 'out')], own);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`pic.md:${at}: error: ${message}`);
      expect(result.stderr).not.toContain('ffmpeg');
      expect(hasStackTrace(result.stderr)).toBe(false);
      expect(await readdir(join(folder, 'out')).catch(() => [])).toEqual([]);
      // `vfo check` finds it too, without narrating anything.
      const checked = await runVfo(['check', script], own);
      expect(checked.code).toBe(2);
      expect(checked.stderr).toContain(`pic.md:${at}: error: ${message}`);
    }
    // Each was refused by probing the media before a job existed (it failed the plan step after the
    // whole narration was spoken): no job was made.
    const jobs = await runVfo(['jobs', 'list', '--json'], own);
    expect(JSON.parse(jobs.stdout)).toEqual([]);
    await writeFile(join(folder, 'pic.md'), '# A\n\nHello there.\n');
    const fixed = await runVfo(['render', join(folder, 'pic.md'), '--out', join(folder, 'out')], own);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(await readdir(join(folder, 'out'))).toEqual(['pic.jpg', 'pic.mp4']);
  }, 120_000);

  it('a playlist saved as a picture or a clip reads nothing outside the folder: located refusal', async () => {
    // ffmpeg opens files by content: an HLS playlist named pic.png put the file it names (another
    // job's video, outside the script's folder) into the render.
    const folder = join(dir.path, 'playlist');
    await mkdir(join(folder, 'script'), { recursive: true });
    const victim = join(folder, 'someone-elses.mp4');
    await promisify(execFile)('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=320x180:d=2', '-pix_fmt', 'yuv420p', victim],
    ]);
    const playlist = `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n${victim}\n#EXT-X-ENDLIST\n`;
    await writeFile(join(folder, 'script', 'pic.png'), playlist);
    await writeFile(join(folder, 'script', 'clip.mp4'), playlist);
    for (const [direction, message] of [
      ['[image pic.png]', 'image "pic.png" cannot be read as a picture'],
      ['[clip clip.mp4]', 'clip "clip.mp4" has no video'],
    ]) {
      const script = join(folder, 'script', 'leak.md');
      await writeFile(script, `# A\n\nHello there. ${direction}\n`);
      const result = await runVfo(['render', script, '--out', join(folder, 'out')], env);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`leak.md:3:14: error: ${message}`);
      expect(await readdir(join(folder, 'out')).catch(() => [])).toEqual([]);
    }
  }, 120_000);

  it('refuses a medium larger than the upload limit where it is named, before reading it', async () => {
    const folder = join(dir.path, 'large');
    await mkdir(folder, { recursive: true });
    // Sparse: 5 GB that take no disk.
    await writeFile(join(folder, 'big.jpg'), '');
    await truncate(join(folder, 'big.jpg'), 5 * 1024 ** 3);
    const script = join(folder, 'big.md');
    await writeFile(script, '# A\n\nHello there. [image big.jpg]\n');
    const result = await runVfo(['check', script], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'big.md:3:14: error: image "big.jpg" is 5120.0 MB; the limit is 4096.0 MB',
    );
  });

  // Found by attacking scripts: intro.md naming [image intro.jpg], rendered beside it, had the picture
  // replaced by its thumbnail; two intro.md of one command wrote one video over the other.
  it('refuses a medium where its video or thumbnail goes, and a second script whose video goes there too', async () => {
    const folder = join(dir.path, 'overwrite');
    await mkdir(join(folder, 'a'), { recursive: true });
    await mkdir(join(folder, 'b'), { recursive: true });
    await writeFile(join(folder, 'intro.jpg'), 'the user’s own picture');
    const script = join(folder, 'intro.md');
    await writeFile(script, '# A\n\nHello there. [image intro.jpg]\n');
    const beside = await runVfo(['render', script], env);
    expect(beside.code).toBe(2);
    expect(beside.stderr).toContain(
      "intro.md:3:14: error: intro.jpg is where this script's thumbnail is written: rename the picture, or render with --out DIR",
    );
    expect(await readFile(join(folder, 'intro.jpg'), 'utf8')).toBe('the user’s own picture');
    // `vfo check` says so too, before a render is tried.
    expect((await runVfo(['check', script], env)).stderr).toContain('intro.jpg is where this script');

    for (const sub of ['a', 'b']) await writeFile(join(folder, sub, 'intro.md'), '# A\n\nHello.\n');
    const both = await runVfo(
      ['render', join(folder, 'a', 'intro.md'), join(folder, 'b', 'intro.md'), '--out', join(folder, 'v')],
      env,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/b\/intro\.md:1:1: error: its video would be written over .*a\/intro\.md's/);
    expect(await readdir(join(folder, 'v')).catch(() => [])).toEqual([]);

    // One script's picture where another's thumbnail goes (found by a review of the fix).
    const own = solidPngBytes('purple');
    await writeFile(join(folder, 'a', 'b.jpg'), own);
    await writeFile(join(folder, 'a', 'a.md'), '# A\n\nHello. [image b.jpg]\n');
    await writeFile(join(folder, 'a', 'b.md'), '# B\n\nHello.\n');
    const pair = await runVfo(['render', join(folder, 'a', 'a.md'), join(folder, 'a', 'b.md')], env);
    expect(pair.code).toBe(2);
    expect(pair.stderr).toMatch(/a\.md:3:8: error: b\.jpg is where .*b\.md's thumbnail is written/);
    expect(await readFile(join(folder, 'a', 'b.jpg'))).toEqual(own);

    // The same places through a symlink (found by attacking output paths: --out through a link to
    // the script's folder, or a picture named through a link to it, lost the picture to the thumbnail).
    await symlink(folder, join(dir.path, 'overwrite-link'));
    const linked = await runVfo(['render', script, '--out', join(dir.path, 'overwrite-link')], env);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain("intro.jpg is where this script's thumbnail is written");
    expect(await readFile(join(folder, 'intro.jpg'), 'utf8')).toBe('the user’s own picture');
    await symlink('.', join(folder, 'here'));
    await writeFile(join(folder, 'via.md'), '# A\n\nHello there. [image here/via.jpg]\n');
    await writeFile(join(folder, 'via.jpg'), 'another picture');
    const through = await runVfo(['render', join(folder, 'via.md')], env);
    expect(through.code).toBe(2);
    expect(through.stderr).toContain("here/via.jpg is where this script's thumbnail is written");
    expect(await readFile(join(folder, 'via.jpg'), 'utf8')).toBe('another picture');
  });

  it('counts the music changes in the check, before anything is narrated', async () => {
    const folder = join(dir.path, 'music');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'a.m4a'), 'a');
    await writeFile(join(folder, 'b.m4a'), 'b');
    const scenes = Array.from(
      { length: 202 },
      (_, i) => `# S${i}\n\n[music ${i % 2 ? 'b' : 'a'}.m4a] Hello.\n`,
    );
    const script = join(folder, 'spans.md');
    await writeFile(script, scenes.join(''));
    const result = await runVfo(['check', script], env);
    expect(result.code).toBe(2);
    // The 201st scene (its direction on line 603) starts the 201st span: one past the limit of 200.
    expect(result.stderr).toContain('spans.md:603:1: error: the music changes 202 times; the limit is 200');
  });

  // Found by attacking media: 32 channels passed the check, then failed the plan step (its mix) after
  // the narration, as "cannot be read as audio".
  it('refuses music the mix cannot make stereo of, in the check, and takes many channels with a layout', async () => {
    const folder = join(dir.path, 'channels');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'many.wav'), silentWav(32, 8000, 800));
    const script = join(folder, 'many.md');
    await writeFile(script, '---\nmusic: many.wav\n---\n# One\n\nHello.\n');
    const result = await runVfo(['check', script], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'many.md:2:8: error: music "many.wav" has 32 channels the mix cannot make stereo of (its file says no layout for them)',
    );
    // Channels with a layout are made stereo, however many (found in review: 16 were refused).
    await promisify(execFile)('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=hexadecagonal', '-t', '0.2'],
      join(folder, 'sixteen.wav'),
    ]);
    await writeFile(script, '---\nmusic: sixteen.wav\n---\n# One\n\nHello.\n');
    const sixteen = await runVfo(['check', script], env);
    expect(sixteen.code, sixteen.stderr).toBe(0);
  });

  it('places an unknown recipe or voice on the front matter line that names it', async () => {
    for (const [line, at, message] of [
      ['recipe: no-such-recipe', '2:9', 'unknown recipe "no-such-recipe"'],
      ['voice: no-such-voice', '2:8', 'unknown voice preset "no-such-voice"'],
    ] as const) {
      const script = join(dir.path, 'front.md');
      await writeFile(script, `---\n${line}\n---\n# A\n\nHello there.\n`);
      const result = await runVfo(['check', script], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`front.md:${at}: error: ${message}`);
    }
  });

  // Found by attacking the pipeline: a recipe edited so that its plan no longer depended on its captions
  // passed the check, and its jobs failed at the plan step, after the narration was paid for.
  // An edited step kind this build does not know was refused too, but only when the job was made, exit 1.
  it.each([
    [
      'steps not wired to what they read',
      `json_set(pipeline, '$.steps[4].dependsOn', json('["script","narration"]'))`,
      'step "plan" (render.plan) reads step "captions": it must depend on a step "captions" of kind "captions.build"',
    ],
    [
      'a step of a kind this build does not know',
      `json_set(pipeline, '$.steps[0].kind', 'rm.rf')`,
      'step "script" has unknown kind "rm.rf"',
    ],
  ])('refuses, before any job, a recipe with %s', async (_what, edit, problem) => {
    const data = await mkdtemp(join(dir.path, 'rewired-'));
    const script = join(dir.path, 'rewired.md');
    await writeFile(script, '# A\n\nHello there.\n');
    expect((await runVfo(['check', script], { VFO_DATA_DIR: data })).code).toBe(0);
    const db = new Database(join(data, 'vfo.db'));
    db.prepare(`UPDATE recipes SET pipeline = ${edit} WHERE slug = 'narrated-16x9'`).run();
    db.close();
    for (const args of [['check'], ['render', '--out', join(dir.path, 'out')]]) {
      const result = await runVfo([...args, script], { VFO_DATA_DIR: data });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`rewired.md:1:1: error: recipe "narrated-16x9" version 1: ${problem}`);
      expect(result.stderr).toContain('fix it in the Library');
    }
    const jobs = await runVfo(['jobs', '--json'], { VFO_DATA_DIR: data });
    expect(JSON.parse(jobs.stdout)).toEqual([]);
  });

  // Found by attacking scripts: the unknown voice was the only problem said; fixed, the next run showed
  // the script's own, and the next the missing picture and the length.
  it('lists every problem in one run: an unknown voice and recipe, the script’s errors, its media', async () => {
    const script = join(dir.path, 'all-at-once.md');
    await writeFile(
      script,
      '---\nrecipe: no-such-recipe\nvoice: no-such-voice\n---\n# A\n\nHello [pause 99s] there. [image gone.png]\n',
    );
    const result = await runVfo(['check', script], env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/all-at-once\.md:2:9: error: unknown recipe "no-such-recipe"/),
      expect.stringMatching(/all-at-once\.md:3:8: error: unknown voice preset "no-such-voice"/),
      expect.stringMatching(/all-at-once\.md:7:7: error: .*pause/),
      expect.stringMatching(/all-at-once\.md:7:26: error: image not found: gone\.png/),
    ]);
    // Past the parse: a wrong voice and a picture that is not one, both in one run.
    await writeFile(join(dir.path, 'not-a.png'), 'text\n');
    await writeFile(script, '---\nvoice: no-such-voice\n---\n# A\n\nHello there. [image not-a.png]\n');
    const second = await runVfo(['check', script], env);
    expect(second.code).toBe(2);
    expect(second.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/all-at-once\.md:2:8: error: unknown voice preset "no-such-voice"/),
      expect.stringMatching(/all-at-once\.md:6:14: error: image "not-a\.png" cannot be read as a picture/),
    ]);
  });

  it('looks up each voice a script switches to before any job: a preset, or a voice of the offline engine', async () => {
    const script = join(dir.path, 'voices.md');
    const voices =
      '[voice offline-es] Hola. [voice en-us+f3] Hello. [voice en-uss] Hi. [voice offline-es] Adiós.';
    await writeFile(script, `# A\n\nFirst. ${voices}\n`);
    const result = await runVfo(['check', script], env);
    expect(result.code).toBe(2);
    // Only the typo, once, where it is first switched to.
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/voices\.md:3:57: error: espeak-ng has no voice "en-uss"/),
    ]);
    await writeFile(script, `# A\n\nFirst. ${voices.replace('en-uss', 'en-gb')}\n`);
    expect(await runVfo(['check', script], env)).toMatchObject({ code: 0 });
  });

  // The bundled CLI loads the font library from node_modules (it reads data files beside itself).
  it('warns of caption text the caption font cannot draw, and still passes the check', async () => {
    const script = join(dir.path, 'emoji.md');
    await writeFile(script, '# A\n\nEmoji time 🎉.\n');
    const result = await runVfo(['check', script], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'emoji.md:3:1: warning: the captions cannot show "🎉": their font (DejaVuSans-Bold.ttf) has no such characters',
    );
  });

  // Found by attacking output paths: a video rendered into the data folder was deleted by vfo gc.
  it('refuses --out inside the data folder, and prints a video path with escapes for what a terminal obeys', async () => {
    const script = join(dir.path, 'tiny.md');
    await writeFile(script, '# A\n\nHi.\n');
    const inData = await runVfo(['render', script, '--out', join(dir.path, 'data', 'work')], env);
    expect(inData.code).toBe(2);
    expect(inData.stderr).toContain(`--out ${join(dir.path, 'data', 'work')} is inside the data folder`);
    expect(hasStackTrace(inData.stderr)).toBe(false);

    // A folder where the thumbnail goes: refused before any work (it failed at delivery, the new video
    // already in place).
    await mkdir(join(dir.path, 'thumbs', 'tiny.jpg'), { recursive: true });
    const folder = await runVfo(['render', script, '--out', join(dir.path, 'thumbs')], env);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(
      `${join(dir.path, 'thumbs', 'tiny.jpg')} is a folder, where this script's thumbnail is written`,
    );
    expect(await readdir(join(dir.path, 'thumbs'))).toEqual(['tiny.jpg']);

    const named = join(dir.path, 'bell\u0007\u001b]0;title.md');
    await writeFile(named, '# A\n\nHi.\n');
    const rendered = await runVfo(['render', named, '--out', join(dir.path, 'named')], env);
    expect(rendered.code).toBe(0);
    expect(rendered.stdout).toBe(`${join(dir.path, 'named')}/bell\\u{7}\\u{1b}]0;title.mp4\n`);
  });

  it('shows control characters and direction overrides a script quotes as escapes', async () => {
    const script = join(dir.path, 'escapes.md');
    await writeFile(script, '# A\n\nHello [\u001b[2J\u202efake] there.\n');
    const result = await runVfo(['check', script], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('\\u{1b}[2J\\u{202e}fake');
    expect(result.stderr.includes('\u001b') || result.stderr.includes('\u202e')).toBe(false);
  });
});

/** A 16-bit PCM WAV of silence (the canonical 44-byte header takes any channel count). */
function silentWav(channels: number, sampleRate: number, frames: number): Buffer {
  const data = Buffer.alloc(frames * channels * 2);
  return Buffer.concat([canonicalWavHeader({ sampleRate, channels }, data.length), data]);
}

/**
 * A script that arrives as text (the farm's POST /farm/v1/jobs, the UI's scripts.check and
 * scripts.import, a drop on the app) has only its upload folder under the data folder: its media may
 * come from nowhere else but the media roots, and never from the data folder itself.
 */
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaManifestSchema, type ScriptCheck } from '../../shared/contract.ts';
import { type App, openApp } from '../app/open-app.ts';
import { settings } from '../db/schema.ts';
import { BlobStore } from '../engine/blob-store.ts';
import { solidPngBytes } from '../ffmpeg/test-fixtures.ts';
import { mediaRootsSetting } from '../settings/index.ts';
import { sha256Hex } from '../util/hash.ts';
import { receiveMedia, wantedMedia } from './media-upload.ts';
import { checkOnly, checkUpload } from './script-upload.ts';

let top: string;
let ctx: App;

beforeEach(async () => {
  top = await realpath(await mkdtemp(join(tmpdir(), 'vfo-upload-media-')));
  ctx = await openApp({ data: join(top, 'data') });
  await mkdir(join(top, 'shared'));
  // Real pictures: what each file holds is probed once it is found.
  await writeFile(join(top, 'shared', 'logo.png'), solidPngBytes('red'));
  await writeFile(join(top, 'outside.png'), solidPngBytes('green'));
  await writeFile(join(ctx.dataDir, 'secret.png'), solidPngBytes('blue'));
});
afterEach(async () => {
  await ctx.close();
  await rm(top, { recursive: true, force: true });
});

const upload = (image: string) => ({ name: 'talk.md', text: `# Scene\n\nHello there.\n[image ${image}]\n` });
const errors = (check: ScriptCheck) =>
  check.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`);

function setRoots(roots: string[]): void {
  ctx.database.db
    .insert(settings)
    .values({ key: mediaRootsSetting.key, value: roots })
    .onConflictDoUpdate({ target: settings.key, set: { value: roots } })
    .run();
}

describe('media of an uploaded script', () => {
  it('refuses the data folder, other folders and absolute paths, in the same words whether they exist', async () => {
    const written = ['../../secret.png', '../../../outside.png', join(top, 'outside.png')];
    const existing = [];
    for (const path of written) existing.push(errors((await checkUpload(ctx, upload(path))).check));
    expect(existing).toEqual(written.map((path) => [`talk.md:4:1: image not found: ${path}`]));
    await rm(join(ctx.dataDir, 'secret.png'));
    await rm(join(top, 'outside.png'));
    const missing = [];
    for (const path of written) missing.push(errors((await checkUpload(ctx, upload(path))).check));
    expect(missing).toEqual(existing);
  });

  it('refuses what is not a picture before looking at the disk', async () => {
    for (const path of ['/etc/hostname', '../../vfo.db', '../../farm-key']) {
      const { check, prepared } = await checkUpload(ctx, upload(path));
      expect(check.ok).toBe(false);
      expect(errors(check)).toEqual([`talk.md:4:1: image "${path}" must be a .png, .jpg, .jpeg, .webp file`]);
      expect(prepared.ok).toBe(false);
    }
  });

  // Found by attacking the UI API: every preview kept its folder for good (a key holder filled the disk
  // at ~14 MB/s with scripts.check).
  it('a check alone keeps nothing: its folder goes with the answer', async () => {
    for (let i = 0; i < 3; i++) {
      const check = await checkOnly(ctx, { name: 'talk.md', text: `# Scene ${i}\n\nHello there.\n` });
      expect(check.ok).toBe(true);
    }
    expect(await readdir(join(ctx.dataDir, 'imports'))).toEqual([]);
  });

  it('looks up a voice the script switches to, as vfo check does', async () => {
    const text = '# Scene\n\nHello. [voice nope] There.\n';
    const { check, prepared } = await checkUpload(ctx, { name: 'talk.md', text });
    expect(errors(check)).toEqual([
      'talk.md:3:8: espeak-ng has no voice "nope"; `espeak-ng --voices` lists them (add a variant as "en-us+f3")',
    ]);
    expect(prepared.ok).toBe(false);
  });

  // Found by an output review: emoji and Japanese captions came out as empty boxes after an "ok".
  it('warns of text the bundled fonts cannot draw, where it is first used', async () => {
    const warnings = (check: ScriptCheck) =>
      check.diagnostics
        .filter((d) => d.severity === 'warning')
        .map((d) => `${d.line}:${d.col}: ${d.message}`);
    const text = '---\ntitle: Party 🎉\n---\n# A\n\nCafé, Ж, مرحبا. Emoji time 🎉🚀. 日本語です.\n';
    const check = await checkOnly(ctx, { name: 'talk.md', text });
    expect(check.ok).toBe(true);
    expect(warnings(check)).toEqual([
      '6:17: the captions cannot show "🎉", "🚀", "日", "本", "語", "で", "す": their font (DejaVuSans-Bold.ttf) has no such characters, so they appear as empty boxes',
      '1:1: the title card and thumbnail cannot show "🎉": their font has no such characters, so they appear as empty boxes',
    ]);
    const drawable = await checkOnly(ctx, { name: 'talk.md', text: '# A\n\nCafé, Ж, مرحبا, ™ ½ €.\n' });
    expect(warnings(drawable)).toEqual([]);
    // A subtitle is drawn only under a title (found by a review: it was warned of without one).
    const subtitled = await checkOnly(ctx, {
      name: 'talk.md',
      text: '---\nsubtitle: Party 🎉\n---\n# A\n\nHi.\n',
    });
    expect(warnings(subtitled)).toEqual([]);
  });

  it('gives two uploads of the same name two videos', async () => {
    const first = await checkUpload(ctx, { name: 'intro.md', text: '# A\n\nOne.\n' });
    const second = await checkUpload(ctx, { name: 'intro.md', text: '# B\n\nTwo.\n' });
    const outputOf = (p: typeof first.prepared) => (p.ok ? p.request.input.outputPath : null);
    expect(outputOf(first.prepared)).toMatch(/videos\/[0-9a-f]{16}\/intro\.mp4$/);
    expect(outputOf(second.prepared)).not.toBe(outputOf(first.prepared));
  });

  it('stores nothing but the script text in its upload folder', async () => {
    await checkUpload(ctx, upload('../../secret.png'));
    const stored = await readdir(join(ctx.dataDir, 'imports'), { recursive: true, withFileTypes: true });
    expect(stored.filter((e) => e.isFile()).map((e) => e.name)).toEqual(['talk.md']);
  });

  it('takes pictures from a media root, and freezes the roots into the job', async () => {
    setRoots([join(top, 'shared')]);
    const { check, prepared } = await checkUpload(ctx, upload(join(top, 'shared', 'logo.png')));
    expect(errors(check)).toEqual([]);
    expect(prepared.ok && prepared.document.scenes[0]?.image?.path).toBe(join(top, 'shared', 'logo.png'));
    if (!prepared.ok) return;
    const { job } = ctx.engine.createJob(prepared.request);
    expect(job.snapshot).toMatchObject({ media: { roots: [join(top, 'shared')] } });
  });

  it('reads what a picture holds: text named .png is refused where it is named', async () => {
    setRoots([join(top, 'shared')]);
    await writeFile(join(top, 'shared', 'words.png'), 'not a picture');
    const { check, prepared } = await checkUpload(ctx, upload(join(top, 'shared', 'words.png')));
    expect(errors(check)).toEqual([
      `talk.md:4:1: image "${join(top, 'shared', 'words.png')}" cannot be read as a picture`,
    ]);
    expect(prepared.ok).toBe(false);
  });

  it('never reaches into the data folder, even through a media root around it', async () => {
    setRoots([top]);
    const secret = join(ctx.dataDir, 'secret.png');
    expect(errors((await checkUpload(ctx, upload(secret))).check)).toEqual([
      `talk.md:4:1: image not found: ${secret}`,
    ]);
    expect(errors((await checkUpload(ctx, upload(join(top, 'outside.png')))).check)).toEqual([]);
  });
});

describe('media sent with an uploaded script', () => {
  const picture = solidPngBytes('yellow');
  const sha256 = sha256Hex(picture);
  const withPicture = (media?: Record<string, { sha256: string; size: number }>) => ({
    name: 'talk.md',
    text: '# Scene\n\nHello there.\n[image fotos/x.png]\n',
    ...(media ? { media } : {}),
  });
  const intake = () => ({
    db: ctx.db,
    dataDir: ctx.dataDir,
    services: ctx.services,
    blobs: new BlobStore(ctx.dataDir),
  });

  it('are wanted until received, checked against their sha256, and placed in the script’s own folder', async () => {
    const blobs = new BlobStore(ctx.dataDir);
    expect(await wantedMedia(blobs, [sha256, sha256])).toEqual([sha256]);
    await expect(
      receiveMedia(blobs, ctx.dataDir, Readable.from([Buffer.from('other bytes')]), sha256),
    ).rejects.toThrow();
    expect(await wantedMedia(blobs, [sha256])).toEqual([sha256]);
    await receiveMedia(blobs, ctx.dataDir, Readable.from([picture]), sha256);
    expect(await wantedMedia(blobs, [sha256])).toEqual([]);

    const { check, prepared } = await checkUpload(
      intake(),
      withPicture({ 'fotos/x.png': { sha256, size: picture.length } }),
    );
    expect(errors(check)).toEqual([]);
    expect(check.media).toEqual([{ kind: 'image', path: 'fotos/x.png', line: 4, col: 1, found: true }]);
    if (!prepared.ok) throw new Error('not prepared');
    const placed = prepared.document.scenes[0]?.image?.path as string;
    expect(placed.startsWith(join(ctx.dataDir, 'imports'))).toBe(true);
    expect(await readFile(placed)).toEqual(picture);
  });

  it('a file declared but never received (or not the bytes declared) keeps the script from being queued', async () => {
    const blobs = new BlobStore(ctx.dataDir);
    await receiveMedia(blobs, ctx.dataDir, Readable.from([picture]), sha256);
    for (const declared of [
      { sha256: sha256Hex('never sent'), size: 10 },
      { sha256, size: picture.length + 1 },
    ]) {
      const { check, prepared } = await checkUpload(intake(), withPicture({ 'fotos/x.png': declared }));
      expect(prepared.ok).toBe(false);
      expect(errors(check)).toEqual([
        'talk.md:1:1: media file "fotos/x.png" was declared but not received: send it before the script',
        'talk.md:4:1: image not found: fotos/x.png',
      ]);
    }
  });

  it('never writes a script into a stored blob, even one sent under the script’s own name', async () => {
    // Media are hard links to their blobs: a script written at a media file's place would write
    // into the blob every job shares (found by attacking a node: the blob then failed its sha256).
    const blobs = new BlobStore(ctx.dataDir);
    await receiveMedia(blobs, ctx.dataDir, Readable.from([picture]), sha256);
    const text = '# Scene\n\nHello there.\n';
    const media = {
      'b.md': { sha256, size: picture.length },
      'B.MD/x.png': { sha256, size: picture.length },
    };
    const first = await checkUpload(intake(), { name: 'a.md', text, media });
    expect(errors(first.check)).toEqual([]);
    for (const name of ['b.md', 'B.md']) {
      const { check, prepared } = await checkUpload(intake(), { name, text, media });
      expect(prepared.ok).toBe(false);
      expect(errors(check)).toEqual([
        `${name}:1:1: media file "B.MD/x.png" takes the place of the script itself: give it another name`,
        `${name}:1:1: media file "b.md" takes the place of the script itself: give it another name`,
      ]);
      expect(await readFile(prepared.path, 'utf8')).toBe(text);
    }
    expect(sha256Hex(await readFile(blobs.pathFor(sha256)))).toBe(sha256);
  });

  it('before they are sent, counts the files a sender has as found and reports the rest where named', async () => {
    const text = '# Scene\n\nHello. [image fotos/x.png] [clip clips/y.mp4]\n';
    const { check } = await checkUpload(
      intake(),
      { name: 'talk.md', text },
      {},
      { sending: ['fotos/x.png'] },
    );
    expect(check.media.map((m) => [m.path, m.found])).toEqual([
      ['fotos/x.png', true],
      ['clips/y.mp4', false],
    ]);
    expect(errors(check)).toEqual(['talk.md:3:28: clip not found: clips/y.mp4']);
  });

  it('are named by paths inside the script’s folder only', () => {
    const file = { sha256, size: 1 };
    for (const bad of ['../x.png', '/etc/x.png', 'fotos//x.png', './x.png', 'a\\b.png', 'a/../b.png'])
      expect(MediaManifestSchema.safeParse({ [bad]: file }).success, bad).toBe(false);
    expect(MediaManifestSchema.safeParse({ 'fotos/x.png': file }).success).toBe(true);
    // As it arrives over the wire (JSON.parse makes "__proto__" an own key): refused, not dropped.
    const proto = JSON.parse(`{"__proto__": ${JSON.stringify(file)}}`);
    expect(MediaManifestSchema.safeParse(proto).success).toBe(false);
  });
});

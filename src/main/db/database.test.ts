import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSettings } from '../engine/settings-resolver.ts';
import { validateDirectionMap } from '../script/index.ts';
import { databaseHint, openDatabase } from './open.ts';
import { prompts, recipes, videoPresets, voicePresets } from './schema.ts';

const REPO = resolve(import.meta.dirname, '../../..');
let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

const input = { kind: 'script' as const, scriptPath: '/s.md', outputPath: '/s.mp4' };

describe('openDatabase', () => {
  it('applies the migrations in WAL mode and seeds real defaults', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vfo-db-'));
    const { db, sqlite, close } = openDatabase(dir);
    try {
      expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      const tables = (
        sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
      ).map((t) => t.name);
      for (const t of [
        'recipes',
        'prompts',
        'knowledge_base',
        'voice_presets',
        'video_presets',
        'jobs',
        'job_steps',
        'artifacts',
      ]) {
        expect(tables).toContain(t);
      }
      expect(
        db
          .select()
          .from(recipes)
          .all()
          .map((r) => r.slug)
          .sort(),
      ).toEqual([
        'from-brief-16x9',
        'narrated-16x9',
        'narrated-16x9-music',
        'narrated-16x9-titled',
        'narrated-9x16',
      ]);
      expect(
        db
          .select()
          .from(prompts)
          .all()
          .map((p) => [p.slug, p.isActive]),
      ).toEqual([['script.writer', true]]);
      const voices = db.select().from(voicePresets).all();
      expect(new Set(voices.map((v) => v.provider))).toEqual(new Set(['offline', 'azure']));
      for (const v of voices) expect(validateDirectionMap(v.directionMap).ok).toBe(true);
      const encoders = db
        .select()
        .from(videoPresets)
        .all()
        .flatMap((p) => p.encoders);
      expect(encoders).toContain('h264_videotoolbox');
      expect(encoders).toContain('libx264');
    } finally {
      close();
    }
  });

  it('resolves the 9:16 recipe to a portrait 1080x1920 preset and the 16:9 one to landscape', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vfo-db-'));
    const { db, close } = openDatabase(dir);
    try {
      expect(resolveSettings(db, { recipe: 'narrated-9x16', input }).video).toMatchObject({
        width: 1080,
        height: 1920,
      });
      expect(resolveSettings(db, { recipe: 'narrated-16x9', input }).video).toMatchObject({
        width: 1920,
        height: 1080,
      });
      expect(() => resolveSettings(db, { recipe: 'nope', input })).toThrow(/unknown recipe "nope"/);
      expect(() => resolveSettings(db, { voicePreset: 'nope', input })).toThrow(
        /unknown voice preset "nope"/,
      );
    } finally {
      close();
    }
  });

  it('keeps a user edit to a seeded preset across restarts, and re-opening is harmless', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vfo-db-'));
    const first = openDatabase(dir);
    first.sqlite
      .prepare('UPDATE voice_presets SET prosody = \'{"rate":"+5%"}\' WHERE slug = \'offline-en\'')
      .run();
    first.close();
    const second = openDatabase(dir);
    try {
      const row = second.sqlite
        .prepare("SELECT prosody FROM voice_presets WHERE slug = 'offline-en'")
        .get() as { prosody: string };
      expect(JSON.parse(row.prosody)).toEqual({ rate: '+5%' });
      expect((second.sqlite.prepare('SELECT count(*) AS n FROM recipes').get() as { n: number }).n).toBe(5);
    } finally {
      second.close();
    }
  });

  it('moves an untouched seeded prompt off a retired model once, and leaves an edited one alone', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vfo-db-'));
    const models = (db: ReturnType<typeof openDatabase>) =>
      db.sqlite
        .prepare(
          "SELECT model, version, is_active AS active FROM prompts WHERE slug = 'script.writer' ORDER BY version",
        )
        .all();
    const first = openDatabase(dir);
    // As an earlier release seeded it.
    first.sqlite.prepare("UPDATE prompts SET model = 'claude-sonnet-4-5' WHERE slug = 'script.writer'").run();
    first.close();
    for (let i = 0; i < 2; i++) openDatabase(dir).close();
    const second = openDatabase(dir);
    expect(models(second)).toEqual([
      { model: 'claude-sonnet-4-5', version: 1, active: 0 },
      { model: 'claude-sonnet-5-5', version: 2, active: 1 },
    ]);
    // Someone chose that model again, and wrote their own system prompt: theirs to keep.
    second.sqlite
      .prepare("UPDATE prompts SET model = 'claude-sonnet-4-5', system_prompt = 'Mine.' WHERE version = 2")
      .run();
    second.close();
    const third = openDatabase(dir);
    try {
      expect(models(third)).toHaveLength(2);
    } finally {
      third.close();
    }
  });

  // Found by attacking the engine: on a full disk every command said only "disk I/O error", and a
  // read-only data folder "unable to open database file".
  it('says what SQLite leaves out: a full disk, a folder that cannot be written', () => {
    const facts = (freeBytes: number | null, writable: boolean, unwritable = '') => ({
      freeBytes: () => freeBytes,
      writable: () => writable,
      unwritableFile: (path: string) => path === unwritable,
    });
    const sqliteError = (code: string) => Object.assign(new Error('disk I/O error'), { code });
    expect(databaseHint(sqliteError('SQLITE_IOERR_WRITE'), '/data', facts(1024, true))).toBe(
      ' (the disk holding /data is full: 1.0 KB free; free some space and run again)',
    );
    expect(databaseHint(sqliteError('SQLITE_FULL'), '/data', facts(null, true))).toBe(
      ' (the disk holding /data is full; free some space and run again)',
    );
    // A failing disk with room on it is not called full.
    expect(databaseHint(sqliteError('SQLITE_IOERR_WRITE'), '/data', facts(50 * 1024 ** 3, true))).toBe('');
    expect(databaseHint(sqliteError('SQLITE_CANTOPEN'), '/data', facts(null, false))).toBe(
      ' (/data cannot be written: a read-only disk or folder?)',
    );
    expect(databaseHint(sqliteError('SQLITE_CANTOPEN'), '/data', facts(null, true))).toBe('');
    // Found by attacking the data folder: a vfo.db-shm left by `sudo vfo` failed every command with
    // "attempt to write a readonly database", the folder itself writable.
    expect(
      databaseHint(sqliteError('SQLITE_READONLY_CANTINIT'), '/data', facts(null, true, '/data/vfo.db-shm')),
    ).toBe(
      ' (/data/vfo.db-shm cannot be written by this user: made by another one? give it back with chown)',
    );
  });

  it('refuses a data folder a newer version migrated, saying so, and leaves it as it was', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vfo-db-'));
    const first = openDatabase(dir);
    const newest = first.sqlite.prepare('SELECT max(created_at) AS at FROM __drizzle_migrations').get() as {
      at: number;
    };
    // A migration this version does not have, as a newer one records it.
    first.sqlite
      .prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)')
      .run('f'.repeat(64), Number(newest.at) + 1000);
    first.close();
    expect(() => openDatabase(dir)).toThrow(/made by a newer version of Video Factory/);
  });

  it('has migrations that match the schema (drizzle-kit finds nothing to generate)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vfo-db-'));
    await cp(join(REPO, 'resources', 'migrations'), join(dir, 'migrations'), { recursive: true });
    // drizzle-kit joins paths onto its working folder, so the config uses paths relative to it.
    const schema = relative(dir, join(REPO, 'src/main/db/schema.ts'));
    await writeFile(
      join(dir, 'drizzle.config.json'),
      JSON.stringify({ dialect: 'sqlite', schema, out: './migrations' }),
    );
    const before = await readdir(join(dir, 'migrations'), { recursive: true });
    const drizzleKit = join(REPO, 'node_modules', '.bin', 'drizzle-kit');
    const { stdout } = await promisify(execFile)(drizzleKit, ['generate', '--config=drizzle.config.json'], {
      cwd: dir,
    });
    expect(stdout).toMatch(/No schema changes/);
    expect(await readdir(join(dir, 'migrations'), { recursive: true })).toEqual(before);
  });
});

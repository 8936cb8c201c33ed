/**
 * A data folder written by the release before the farm tables moved into migrations opens with today's
 * code and loses nothing: migration 0002_farm-tables must leave the tables that code made alone.
 *
 * The fixture (test/fixtures/data-release-f7643ec/vfo.db) was written by that release itself, commit
 * f7643ec, checked out in a temporary git worktree: make-fixture.sh beside it started one real
 * `vfo node` of that release on loopback (coordinator, worker and origin at once, 2 slots), submitted a
 * short script that was encoded on the farm in two segments and finished, then a longer one, and stopped
 * the node with SIGTERM once that one's two segments were leased. So it holds a done job with its steps
 * and artifacts, a queued job, the seeded presets, recipes and prompts, four farm_tasks rows (two done,
 * two leased) and two farm_origin_tasks rows of one split video (split_of set), all as that code wrote
 * them, its farm tables made by its CREATE TABLE IF NOT EXISTS. Only vfo.db was kept (the artifacts'
 * files are not needed to check their rows).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/main/db/open.ts';
import { Origin } from '../src/main/farm/node/origin.ts';
import { FarmQueue } from '../src/main/farm/queue/farm-queue.ts';
import { createSqliteTaskStore } from '../src/main/farm/queue/sqlite-task-store.ts';
import { REPO, tempDir } from './support/vfo.ts';

const FIXTURE = join(REPO, 'test', 'fixtures', 'data-release-f7643ec', 'vfo.db');
/** Every migration this code ships: a data folder that opens has all of them applied. */
const MIGRATIONS = (
  JSON.parse(readFileSync(join(REPO, 'resources', 'migrations', 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  }
).entries.length;

type Rows = Record<string, unknown>[];

/** Checked on their own below: a vocabulary that gained words, a seeded prompt no longer active. */
function withoutDirectionMap(row: Record<string, unknown>): Record<string, unknown> {
  const { direction_map: _map, ...rest } = row;
  return rest;
}

function withoutActive(row: Record<string, unknown>): Record<string, unknown> {
  const { is_active: _active, ...rest } = row;
  return rest;
}

/** Every table's rows in insertion order, and how each table was declared. */
function readAll(sqlite: Database.Database): {
  rows: Record<string, Rows>;
  declared: Record<string, string>;
} {
  const tables = sqlite
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string; sql: string }[];
  const rows: Record<string, Rows> = {};
  const declared: Record<string, string> = {};
  for (const { name, sql } of tables) {
    rows[name] = sqlite.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all() as Rows;
    declared[name] = sql;
  }
  return { rows, declared };
}

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir('vfo-upgrade-');
  copyFileSync(FIXTURE, join(dir.path, 'vfo.db'));
});
afterEach(() => dir.remove());

describe('a data folder of the release before the farm migrations (f7643ec)', () => {
  it('migrates with every row kept, its farm tables as they were', () => {
    const old = new Database(join(dir.path, 'vfo.db'), { readonly: true });
    const before = readAll(old);
    old.close();
    // The fixture holds what this test is about.
    const count = (table: string) => before.rows[table]?.length ?? 0;
    expect(before.rows.jobs?.map((job) => job.status)).toEqual(['done', 'queued']);
    expect(count('job_steps')).toBeGreaterThan(0);
    expect(count('artifacts')).toBeGreaterThan(0);
    for (const table of ['recipes', 'prompts', 'voice_presets', 'video_presets']) {
      expect(count(table)).toBeGreaterThan(0);
    }
    expect(before.rows.farm_tasks?.map((task) => task.status)).toEqual(['done', 'done', 'leased', 'leased']);
    expect(before.rows.farm_origin_tasks?.every((task) => typeof task.split_of === 'string')).toBe(true);
    expect(count('farm_origin_tasks')).toBe(2);
    expect(count('__drizzle_migrations')).toBe(2);

    const database = openDatabase(dir.path);
    try {
      const after = readAll(database.sqlite);
      expect(after.rows.__drizzle_migrations).toHaveLength(MIGRATIONS);
      for (const [table, rows] of Object.entries(before.rows)) {
        if (table === '__drizzle_migrations') continue;
        // Seeding may add rows a newer release ships, and a migration columns (with their defaults);
        // the old rows keep every value they had (the built-in vocabularies a voice preset copied gained
        // words: checked below).
        const kept = after.rows[table]?.slice(0, rows.length).map((row, i) => {
          const old = rows[i] ?? {};
          return Object.fromEntries(Object.keys(old).map((column) => [column, row[column]]));
        });
        const same = table === 'prompts' ? withoutActive : withoutDirectionMap;
        expect(kept?.map(same), table).toEqual(rows.map(same));
      }
      // The seeded prompt, untouched, named a model Claude retired on 30 November 2026: a new version
      // with today's model is the active one, and the old one stays (jobs name it).
      expect(before.rows.prompts?.map((row) => [row.model, row.version, row.is_active])).toEqual([
        ['claude-sonnet-4-5', 1, 1],
      ]);
      expect(after.rows.prompts?.map((row) => [row.model, row.version, row.is_active])).toEqual([
        ['claude-sonnet-4-5', 1, 0],
        ['claude-sonnet-5-5', 2, 1],
      ]);
      // Video presets made before caption styles draw captions as they always did, and cut between
      // scenes with no length limit (the seeded platform presets are added after them).
      const oldPresets = after.rows.video_presets?.slice(0, before.rows.video_presets?.length);
      expect(oldPresets?.map((row) => [row.caption_style, row.transition, row.max_duration_seconds])).toEqual(
        before.rows.video_presets?.map(() => ['clean', 'cut', null]),
      );
      // Every word an old vocabulary had means what it meant; the English ones now know clip and music.
      before.rows.voice_presets?.forEach((row, i) => {
        const oldMap = JSON.parse(row.direction_map as string) as Record<string, unknown>;
        const newMap = JSON.parse(after.rows.voice_presets?.[i]?.direction_map as string) as Record<
          string,
          unknown
        >;
        expect(newMap).toMatchObject(oldMap);
        if ('image' in oldMap)
          expect(newMap).toMatchObject({ clip: { kind: 'clip' }, music: { kind: 'music', off: 'off' } });
      });
      for (const table of ['jobs', 'job_steps', 'artifacts', 'farm_tasks', 'farm_origin_tasks']) {
        expect(after.rows[table], table).toHaveLength(count(table));
      }
      // The farm tables the old code made are the ones in use, and their indexes are there.
      expect(after.declared.farm_tasks).toBe(before.declared.farm_tasks);
      // Later migrations only add columns (0003: the encoder a worker fell back to), at the end.
      expect(after.declared.farm_origin_tasks).toBe(
        `${before.declared.farm_origin_tasks?.replace(/\)$/, '')}, \`fallback\` text)`,
      );
      const indexes = database.sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'farm_%' ORDER BY name")
        .all();
      expect(indexes).toEqual([{ name: 'farm_origin_tasks_split' }, { name: 'farm_tasks_status' }]);
    } finally {
      database.close();
    }
  });

  it('has the farm tables a new data folder gets from the migration: same columns, types, defaults, indexes', async () => {
    const fresh = await tempDir('vfo-fresh-');
    const database = openDatabase(fresh.path);
    const old = new Database(join(dir.path, 'vfo.db'), { readonly: true });
    try {
      for (const table of ['farm_tasks', 'farm_origin_tasks']) {
        const made = database.sqlite.pragma(`table_info(${table})`) as { name: string; notnull: number }[];
        const madeBefore = old.pragma(`table_info(${table})`) as unknown[];
        // The one difference: the migration's primary key is NOT NULL (the old DDL let SQLite allow a
        // NULL key, which no code ever wrote).
        const asBefore = made.map((c) => (c.name === 'task_id' ? { ...c, notnull: 0 } : c));
        // Columns added by later migrations (0003: fallback) come after the old ones.
        expect(asBefore.slice(0, madeBefore.length), table).toEqual(madeBefore);
        expect(
          asBefore.slice(madeBefore.length).map((c) => c.name),
          table,
        ).toEqual(table === 'farm_origin_tasks' ? ['fallback'] : []);
        expect(database.sqlite.pragma(`index_list(${table})`), table).toEqual(
          old.pragma(`index_list(${table})`),
        );
      }
    } finally {
      old.close();
      database.close();
      await fresh.remove();
    }
  });

  it('is loaded by the queue and the origin as the old node left it', async () => {
    const database = openDatabase(dir.path);
    try {
      const { sqlite } = database;
      type Row = Record<string, string | number | null>;
      const rows = sqlite.prepare('SELECT * FROM farm_tasks').all() as Row[];
      const queue = new FarmQueue({ clock: { now: () => Date.now() }, store: createSqliteTaskStore(sqlite) });
      expect(queue.stats()).toMatchObject({ queued: 0, running: 2, done: 2, failed: 0 });
      for (const row of rows) {
        const task = queue.getTask(row.id as string);
        expect(task).toMatchObject({
          originNodeId: row.origin_node_id,
          originUrl: row.origin_url,
          jobId: row.job_id,
          priority: row.priority,
          createdAt: row.created_at,
          plan: JSON.parse(row.plan as string),
          requirements: JSON.parse(row.requirements as string),
          status: row.status,
          attempts: row.attempts,
          failuresByWorker: JSON.parse(row.failures_by_worker as string),
          updatedAt: row.updated_at,
        });
        const leaseId = row.lease_id as string;
        if (row.status === 'leased') {
          expect(queue.leaseOf(leaseId)?.lease).toMatchObject({
            workerId: row.lease_worker_id,
            grantedAt: row.lease_granted_at,
          });
        } else {
          // A finished task stays finished: its origin repeating the completion is answered the same.
          expect(queue.complete(row.completed_lease_id as string)).toBe('accepted');
        }
      }

      const nodeId = rows[0]?.origin_node_id as string;
      const origin = new Origin({
        sqlite,
        dataDir: dir.path,
        nodeId,
        selfUrl: () => 'http://127.0.0.1:1',
        client: { json: () => Promise.reject(new Error('no coordinator in this test')) },
        coordinator: () => null,
        ffmpeg: () => Promise.reject(new Error('no encode in this test')),
        blobPath: (sha256) => join(dir.path, 'blobs', sha256),
      });
      const originRows = sqlite.prepare('SELECT task_id, split_of FROM farm_origin_tasks').all() as {
        task_id: string;
        split_of: string;
      }[];
      const unfinished = origin.unfinished();
      expect(unfinished.map((task) => task.id).sort()).toEqual(originRows.map((row) => row.task_id).sort());
      // What it would announce to a new coordinator is what that coordinator's queue held.
      for (const input of unfinished) expect(queue.getTask(input.id)?.status).toBe('leased');
      // Its segments are still one whole, valid split (an invalid one would be dropped, rows and all).
      const splitOf = originRows[0]?.split_of as string;
      const segments = await origin.segmentsOf(splitOf);
      expect(segments?.map((segment) => segment.plan.segment?.index)).toEqual([0, 1]);
      expect(origin.hasTask(originRows[0]?.task_id as string)).toBe(true);
    } finally {
      database.close();
    }
  });
});

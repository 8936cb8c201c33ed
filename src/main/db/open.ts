import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { z } from 'zod';
import { createLogger } from '../log/logger.ts';
import { resourcesDir } from '../paths.ts';
import { formatSize, freeBytesAtSync } from '../util/disk-room.ts';
import { canWriteIn } from '../util/folders.ts';
import { ensurePrivateDir } from '../util/private-dir.ts';
import * as schema from './schema.ts';
import { seedDefaults } from './seed.ts';
import { BUSY_WAIT_MS, whileBusy } from './while-busy.ts';

const log = createLogger('Database');

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenedDatabase {
  db: Db;
  sqlite: Database.Database;
  path: string;
  close(): void;
}

export const DATABASE_FILE = 'vfo.db';

/**
 * Open (creating if needed) the data folder's database: WAL so readers never block the runner,
 * a busy timeout so two `vfo` processes can share it, migrations applied, defaults seeded.
 */
export function openDatabase(dataDir: string, options: { migrationsDir?: string } = {}): OpenedDatabase {
  ensurePrivateDir(dataDir);
  const path = join(dataDir, DATABASE_FILE);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path);
  } catch (error) {
    // A folder at its place, a file it may not open: said with the path (SQLite's text has none).
    throw new Error(`opening database ${path}: ${(error as Error).message}${databaseHint(error, dataDir)}`);
  }
  try {
    sqlite.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
    // A second process may be turning the same new database to WAL this moment (see whileBusy).
    whileBusy(Date.now() + BUSY_WAIT_MS, () => sqlite.pragma('journal_mode = WAL'));
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    const db = migrateDatabase(sqlite, options.migrationsDir);
    seedDefaults(db);
    log.debug('database ready', { path });
    return { db, sqlite, path, close: () => sqlite.close() };
  } catch (error) {
    sqlite.close();
    throw new Error(`opening database ${path}: ${(error as Error).message}${databaseHint(error, dataDir)}`);
  }
}

/** Less than this free under the data folder, a failed write is taken for a full disk. */
const NEARLY_FULL_BYTES = 64 * 1024 * 1024;

/**
 * What SQLite's own words leave out: on a full disk every command said only "disk I/O error" (`vfo gc`,
 * the one that frees space, too), and a read-only folder "unable to open database file" (found by
 * attacking the engine).
 */
export function databaseHint(error: unknown, dataDir: string, facts: DiskFacts = DISK_FACTS): string {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
    const free = facts.freeBytes(dataDir);
    if (code === 'SQLITE_FULL' || (free !== null && free < NEARLY_FULL_BYTES))
      return ` (the disk holding ${dataDir} is full${free === null ? '' : `: ${formatSize(free)} free`}; free some space and run again)`;
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') {
    if (!facts.writable(dataDir)) return ` (${dataDir} cannot be written: a read-only disk or folder?)`;
    // One file another user made (a `sudo vfo` once): SQLite names none, and the folder looks fine.
    const stuck = DATABASE_FILES.map((name) => join(dataDir, name)).find(facts.unwritableFile);
    if (stuck)
      return ` (${stuck} cannot be written by this user: made by another one? give it back with chown)`;
  }
  return '';
}

/** The database and the two files SQLite keeps beside it in WAL mode. */
const DATABASE_FILES = [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`];

interface DiskFacts {
  freeBytes(dir: string): number | null;
  writable(dir: string): boolean;
  /** A file that exists and this process may not write. */
  unwritableFile(path: string): boolean;
}

const DISK_FACTS: DiskFacts = {
  freeBytes: freeBytesAtSync,
  writable: canWriteIn,
  unwritableFile: (path) => {
    try {
      accessSync(path, constants.W_OK);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  },
};

/** Brings an open connection's tables up to date (openDatabase does; so do tests over ':memory:'). */
export function migrateDatabase(
  sqlite: Database.Database,
  migrationsDir = join(resourcesDir(), 'migrations'),
): Db {
  const db = drizzle(sqlite, { schema });
  try {
    migrate(db, { migrationsFolder: migrationsDir });
  } catch (error) {
    // Two processes opening a new data folder at once (`vfo jobs & vfo render`): drizzle reads what is
    // applied before it takes the write lock, so both set out to create the tables and the second
    // fails once the first commits. Asked again, it finds them applied (a real failure fails again).
    log.debug('migrating again after a failure', { error: (error as Error).message });
    migrate(db, { migrationsFolder: migrationsDir });
  }
  refuseNewerSchema(sqlite, migrationsDir);
  return db;
}

const JournalSchema = z.object({ entries: z.array(z.object({ when: z.number() })).min(1) });

/**
 * A data folder a newer version migrated has tables this one does not know: drizzle applies nothing
 * and says nothing, and this version would read and write rows it does not understand.
 */
function refuseNewerSchema(sqlite: Database.Database, migrationsDir: string): void {
  const journal = JournalSchema.parse(
    JSON.parse(readFileSync(join(migrationsDir, 'meta', '_journal.json'), 'utf8')),
  );
  const known = Math.max(...journal.entries.map((entry) => entry.when));
  const applied = sqlite.prepare('SELECT max(created_at) AS at FROM __drizzle_migrations').get() as {
    at: number | null;
  };
  if (applied.at !== null && Number(applied.at) > known)
    throw new Error(
      'this data folder was made by a newer version of Video Factory (its tables are newer than this one knows): open it with that version',
    );
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { type Db, openDatabase } from '../db/open.ts';
import type { KnownKinds } from '../engine/graph.ts';
import { builtinHandlers } from '../pipeline/index.ts';
import type { PipelineServices } from '../pipeline/services.ts';
import { LibraryError } from './errors.ts';

/** The steps this build runs, with the steps each reads; nothing is run, so they need no services. */
export const STEP_KINDS: KnownKinds = builtinHandlers({} as PipelineServices, {} as Db);

/** A real migrated and seeded database in a temp folder, fresh for every test of the file. */
export function tempDatabasePerTest(): { readonly db: Db } {
  let dir = '';
  let close = (): void => {};
  const handle = { db: undefined as unknown as Db };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vfo-library-'));
    const opened = openDatabase(dir);
    handle.db = opened.db;
    close = opened.close;
  });
  afterEach(() => {
    close();
    rmSync(dir, { recursive: true, force: true });
  });
  return handle;
}

/** The LibraryError `run` throws; fails the test if it throws nothing or something else. */
export function libraryErrorOf(run: () => unknown): LibraryError {
  try {
    run();
  } catch (error) {
    if (error instanceof LibraryError) return error;
    throw error;
  }
  throw new Error('expected a LibraryError, but nothing was thrown');
}

/** The fields named by an 'invalid' error, for asserting which rule fired. */
export function fieldsOf(run: () => unknown): string[] {
  const error = libraryErrorOf(run);
  if (error.kind !== 'invalid')
    throw new Error(`expected kind "invalid", got "${error.kind}": ${error.message}`);
  return error.issues.map((issue) => issue.field);
}

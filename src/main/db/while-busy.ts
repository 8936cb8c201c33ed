import { hasSqliteCode } from './sqlite-errors.ts';

/**
 * How long opening a database waits for another process that holds it: the busy timeout, and as
 * long again for a refusal SQLite will not wait out itself (below).
 */
export const BUSY_WAIT_MS = 5_000;

/**
 * Runs `step`, and again after a short pause while SQLite refuses it as busy, until `deadline`.
 * SQLite's busy timeout does not cover a connection that already holds a read lock and asks for the
 * write lock (waiting could deadlock two such connections): it refuses at once. Turning a new
 * database to WAL does that (it reads the header, then writes it), so two processes opening a new
 * data folder at once failed about one open in fifty with "database is locked".
 */
export function whileBusy<T>(deadline: number, step: () => T): T {
  for (;;) {
    try {
      return step();
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      pause(10 + Math.random() * 20);
    }
  }
}

/**
 * whileBusy for work that is done and only has to be written down (a step's result): waits for
 * another process holding the database past the busy timeout (a long `vfo gc`, a `sqlite3` shell left
 * in a transaction) until `deadline`, without holding up this process's other work in between. Such a
 * wait failed the job after its work, and left the step shown running.
 */
export async function whileBusyAsync<T>(deadline: number, step: () => T): Promise<T> {
  for (;;) {
    try {
      return step();
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
}

/** SQLITE_BUSY (or one of its extended codes) anywhere in an error's causes. */
export function isBusy(error: unknown): boolean {
  return hasSqliteCode(error, /^SQLITE_BUSY/);
}

/** Opening is synchronous (better-sqlite3), so the pause between attempts is too. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

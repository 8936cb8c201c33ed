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

/**
 * A damaged database file (SQLITE_CORRUPT, SQLITE_NOTADB): no retry mends it, and SQLite's own words
 * ("database disk image is malformed") name no file and no way out.
 */
export function isDamaged(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code)) return true;
  }
  return false;
}

export const DAMAGED_HINT =
  "the data folder's database is damaged: vfo doctor checks it; restore the folder from a backup, or move it aside to start afresh";

/** SQLITE_BUSY (or one of its extended codes) anywhere in an error's causes (drizzle wraps them). */
export function isBusy(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  }
  return false;
}

/** Opening is synchronous (better-sqlite3), so the pause between attempts is too. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * One node per data folder. A node's worker removes what leases of a killed node left as it starts,
 * and its blob cache what partial fetches left: a second `vfo node` on the same folder removed the
 * first one's live encodes (both also took the folder's node id). So a node holds `node.lock`, a file
 * naming its process (host:pid, as a job's owner); one whose process is gone is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOwnerAlive, ownerId } from '../engine/repair.ts';

export const NODE_LOCK_FILE = 'node.lock';

export class NodeLockError extends Error {
  override name = 'NodeLockError';
}

/**
 * Takes the data folder's node lock for `owner`, or throws NodeLockError naming the live node that
 * holds it. `serialized` runs the check and the write as one step among processes (the database's
 * write lock), so two nodes starting at once cannot both find the lock free or stale.
 */
export function takeNodeLock(
  dataDir: string,
  serialized: <T>(fn: () => T) => T,
  owner: string = ownerId(),
): { release(): void } {
  const path = join(dataDir, NODE_LOCK_FILE);
  serialized(() => {
    const holder = readHolder(path);
    if (holder && holder !== owner && isOwnerAlive(holder)) {
      throw new NodeLockError(
        `another node (${holder}) already serves the data folder ${dataDir}: stop it first, or give this one its own --data`,
      );
    }
    writeFileSync(path, `${owner}\n`, { mode: 0o600 });
  });
  return {
    release() {
      serialized(() => {
        if (readHolder(path) === owner) rmSync(path, { force: true });
      });
    },
  };
}

function readHolder(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

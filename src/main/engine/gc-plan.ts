/**
 * What garbage collection may remove, and in which order: pure logic over an inventory of the data
 * folder (blob files, scratch folders) and of what still names each blob. Nothing a queued, running
 * or finished job, or a farm task, still needs is ever part of a plan; see garbage-collector.ts for
 * how the plan is carried out against a database that may have changed since.
 */

export interface BlobFile {
  sha256: string;
  bytes: number;
  /** ms since the epoch. */
  modifiedAt: number;
}

/** A file or folder under the data folder that no job uses (a crashed attempt's work folder...). */
export interface ScratchEntry {
  path: string;
  bytes: number;
  modifiedAt: number;
}

/** A failed or cancelled job and the blobs its artifacts name. */
export interface EndedJob {
  id: string;
  endedAt: number;
  blobs: string[];
}

export interface GcInventory {
  blobs: BlobFile[];
  scratch: ScratchEntry[];
  /** Blobs + scratch on disk now. */
  usageBytes: number;
  /** Blobs named by an artifact of a queued, running or done job, or by a farm task: never removed. */
  kept: ReadonlySet<string>;
  /** Every blob named by any artifact at all (a blob named by none is an orphan). */
  named: ReadonlySet<string>;
  failedOrCancelled: EndedJob[];
}

export type GcUnit =
  | { kind: 'scratch'; path: string; bytes: number }
  | { kind: 'orphan'; sha256: string; bytes: number }
  /** The job's artifacts are forgotten; `blobs` are the files that frees (no other job names them). */
  | { kind: 'job'; jobId: string; blobs: { sha256: string; bytes: number }[]; bytes: number };

export interface GcPlanOptions {
  now: number;
  /**
   * An unnamed blob younger than this is left alone: a step in another process may have just moved it
   * into the store and not yet recorded it.
   */
  orphanGraceMs: number;
  /** Stop once blobs + scratch would be at most this (automatic collection); absent: take everything. */
  targetBytes?: number;
}

export interface GcPlan {
  units: GcUnit[];
  bytes: number;
}

/**
 * Scratch and orphan blobs first (nothing refers to them), then failed and cancelled jobs, the oldest
 * first. A blob two ended jobs share is freed with the second; a blob a kept job also names, never.
 */
export function planCollection(inventory: GcInventory, options: GcPlanOptions): GcPlan {
  const sizes = new Map(inventory.blobs.map((b) => [b.sha256, b.bytes]));
  const candidates: GcUnit[] = [];
  const oldestFirst = <T extends { modifiedAt: number }>(list: T[]) =>
    [...list].sort((a, b) => a.modifiedAt - b.modifiedAt);

  for (const entry of oldestFirst(inventory.scratch)) {
    candidates.push({ kind: 'scratch', path: entry.path, bytes: entry.bytes });
  }
  for (const blob of oldestFirst(inventory.blobs)) {
    const unnamed = !inventory.named.has(blob.sha256) && !inventory.kept.has(blob.sha256);
    if (unnamed && options.now - blob.modifiedAt >= options.orphanGraceMs) {
      candidates.push({ kind: 'orphan', sha256: blob.sha256, bytes: blob.bytes });
    }
  }
  const jobs = [...inventory.failedOrCancelled].sort((a, b) => a.endedAt - b.endedAt);
  const holders = new Map<string, number>();
  for (const job of jobs) for (const sha of new Set(job.blobs)) holders.set(sha, (holders.get(sha) ?? 0) + 1);
  for (const job of jobs) {
    const freed: { sha256: string; bytes: number }[] = [];
    for (const sha of new Set(job.blobs)) {
      const left = (holders.get(sha) ?? 1) - 1;
      holders.set(sha, left);
      if (left === 0 && !inventory.kept.has(sha) && sizes.has(sha)) {
        freed.push({ sha256: sha, bytes: sizes.get(sha) as number });
      }
    }
    const bytes = freed.reduce((sum, b) => sum + b.bytes, 0);
    candidates.push({ kind: 'job', jobId: job.id, blobs: freed, bytes });
  }

  const units: GcUnit[] = [];
  let usage = inventory.usageBytes;
  for (const unit of candidates) {
    if (options.targetBytes !== undefined && usage <= options.targetBytes) break;
    units.push(unit);
    usage -= unit.bytes;
  }
  return { units, bytes: inventory.usageBytes - usage };
}

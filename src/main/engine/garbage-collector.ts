/**
 * Frees the disk that failed and cancelled jobs, crashed attempts and orphaned blobs hold (`vfo gc`,
 * and the engine itself when the data folder passes its disk budget). The plan comes from
 * gc-plan.ts; each removal is then checked again against the database at the moment it happens,
 * because jobs in this and other processes keep running meanwhile.
 */
import { randomUUID } from 'node:crypto';
import { renameSync, statSync } from 'node:fs';
import { lstat, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../log/logger.ts';
import { DATA_FOLDERS } from '../paths.ts';
import type { BlobStore } from './blob-store.ts';
import {
  type BlobFile,
  type GcInventory,
  type GcUnit,
  planCollection,
  type ScratchEntry,
} from './gc-plan.ts';
import type { JobStore } from './job-store.ts';

/**
 * An unnamed blob or stray file younger than this is left alone: a step may have just moved it into
 * the store and not yet recorded it (an encode of hours writes its file up to that moment).
 */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;

/** Speech any job may reuse (an edited script's unchanged chunks) is kept this long after its last use. */
export const SPEECH_IDLE_MS = 7 * 24 * 60 * 60 * 1000;

const SHA256_NAME = /^[0-9a-f]{64}$/;
const BLOB_PREFIX = /^[0-9a-f]{2}$/;
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface GarbageCollectorDeps {
  store: JobStore;
  blobs: BlobStore;
  /** <data>/work: the engine's scratch folders, one per job. */
  workRoot: string;
  /** The data folder: its uploaded scripts no job reads and its abandoned uploads are swept too. */
  dataDir?: string;
  /** Blobs this node's farm tasks still need (none when it is not in a farm). */
  heldByFarm?: () => Iterable<string>;
  log: Logger;
  clock?: () => number;
  orphanGraceMs?: number;
}

export interface GcOptions {
  /** Report what would go, remove nothing. */
  dryRun?: boolean;
  /** Stop once blobs + scratch are at most this many bytes (the disk budget); absent: everything. */
  targetBytes?: number;
}

export interface GcReport {
  dryRun: boolean;
  /** Failed or cancelled jobs whose results were forgotten. */
  jobs: number;
  blobs: { count: number; bytes: number };
  scratch: { count: number; bytes: number };
  freedBytes: number;
  /** Blobs + scratch before and after. */
  usageBefore: number;
  usageAfter: number;
  /**
   * What could not be removed (a folder made read-only, say), one line each: the rest is collected
   * all the same, where one such file stopped every collection after it, for good.
   */
  problems: string[];
}

export async function collectGarbage(deps: GarbageCollectorDeps, options: GcOptions = {}): Promise<GcReport> {
  const now = (deps.clock ?? Date.now)();
  const orphanGraceMs = deps.orphanGraceMs ?? ORPHAN_GRACE_MS;
  const inventory = await takeInventory(deps, now, orphanGraceMs);
  const plan = planCollection(inventory, {
    now,
    orphanGraceMs,
    ...(options.targetBytes !== undefined ? { targetBytes: options.targetBytes } : {}),
  });
  const report: GcReport = {
    dryRun: Boolean(options.dryRun),
    jobs: 0,
    blobs: { count: 0, bytes: 0 },
    scratch: { count: 0, bytes: 0 },
    freedBytes: 0,
    usageBefore: inventory.usageBytes,
    usageAfter: inventory.usageBytes,
    problems: [],
  };
  const held = new Set(inventory.kept);
  for (const unit of plan.units) {
    if (options.dryRun) {
      count(report, unit, unit.kind === 'job' ? unit.blobs : [unit]);
      continue;
    }
    try {
      await carryOut(deps, unit, held, report);
    } catch (error) {
      const what =
        unit.kind === 'job'
          ? `job ${unit.jobId}`
          : unit.kind === 'orphan'
            ? `blob ${unit.sha256}`
            : unit.path;
      deps.log.warn('could not collect', { unit: what, error: String(error) });
      report.problems.push(`${what}: ${(error as Error).message ?? String(error)}`);
    }
  }
  report.freedBytes = report.blobs.bytes + report.scratch.bytes;
  report.usageAfter = inventory.usageBytes - report.freedBytes;
  if (!options.dryRun && (report.blobs.count > 0 || report.scratch.count > 0 || report.jobs > 0)) {
    deps.log.info('garbage collected', { ...report });
  }
  return report;
}

/** Blobs + scratch (and the speech cache, given the data folder) on disk, as the disk budget counts them. */
export async function measureUsage(blobs: BlobStore, workRoot: string, dataDir?: string): Promise<number> {
  let total = 0;
  const speech = dataDir ? [join(dataDir, DATA_FOLDERS.speech)] : [];
  for (const root of [blobs.root, workRoot, ...speech]) total += await bytesUnder(root, true);
  return total;
}

async function carryOut(
  deps: GarbageCollectorDeps,
  unit: GcUnit,
  held: ReadonlySet<string>,
  report: GcReport,
): Promise<void> {
  if (unit.kind === 'scratch') {
    if (await takenUpAgain(deps, unit.path)) return;
    const doomed = setAsideUnlessRunning(deps, unit.path);
    if (doomed === null) return;
    await rm(doomed, { recursive: true, force: true });
    count(report, unit, []);
    return;
  }
  // Blobs are moved aside inside the transaction and deleted after it: a rollback (a file that would
  // not move) puts them back, so no row is left naming a file already gone (one unlinked before a
  // failed commit was).
  const aside: SetAside[] = [];
  const release = (sha256: string): void => {
    if (held.has(sha256)) return;
    const moved = setBlobAside(deps.blobs.pathFor(sha256), sha256);
    if (moved) aside.push(moved);
  };
  // An orphan is checked and moved in one transaction: a step recording it right now waits, then
  // finds it gone. A job's results are forgotten in one (undefined: it is not failed or cancelled now).
  const forget = (): { artifacts: number } | undefined =>
    unit.kind === 'orphan'
      ? deps.store.transaction(() => {
          if (!deps.store.isBlobNamed(unit.sha256)) release(unit.sha256);
          return { artifacts: 0 };
        })
      : deps.store.forgetResults(unit.jobId, release);
  let forgotten: { artifacts: number } | undefined;
  try {
    forgotten = forget();
  } catch (error) {
    for (const moved of aside) putBack(moved);
    throw error;
  }
  // What will not go now goes with a later gc: a name that is no blob's is scratch there.
  for (const moved of aside) await rm(moved.aside, { force: true }).catch(() => undefined);
  if (!forgotten) return;
  count(report, unit, aside);
  if (unit.kind === 'job') {
    deps.log.info('results of an ended job collected', {
      job: unit.jobId,
      artifacts: forgotten.artifacts,
      blobs: aside.length,
    });
  }
}

interface SetAside {
  path: string;
  aside: string;
  sha256: string;
  bytes: number;
}

/** Adds a unit to the report; `blobs` are the blob files it removed (or would remove). */
function count(report: GcReport, unit: GcUnit, blobs: { bytes: number }[]): void {
  if (unit.kind === 'scratch') {
    report.scratch.count++;
    report.scratch.bytes += unit.bytes;
    return;
  }
  if (unit.kind === 'job') report.jobs++;
  for (const blob of blobs) {
    report.blobs.count++;
    report.blobs.bytes += blob.bytes;
  }
}

/**
 * A job's work folder is moved out of its place (to a name the next gc removes after the grace, should
 * this one be killed) unless the job runs now: checked and moved in one transaction, as a job's start
 * claims it in one (claimJob), so a job started since the inventory keeps its folder (a retry started
 * beside `vfo gc` lost its encode's pictures). Other entries are removed where they are. Null: keep it.
 */
function setAsideUnlessRunning(deps: GarbageCollectorDeps, path: string): string | null {
  const name = basename(path);
  if (dirname(path) !== deps.workRoot || !JOB_ID.test(name)) return path;
  return deps.store.transaction(() => {
    const status = deps.store.getJob(name)?.status;
    if (status === 'running' || status === 'queued') return null;
    const aside = join(deps.workRoot, `.gc-${randomUUID()}`);
    try {
      renameSync(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return aside;
  });
}

/** Synchronous: it runs inside a database transaction. Null when the file was already gone. */
function setBlobAside(path: string, sha256: string): SetAside | null {
  try {
    const { size } = statSync(path);
    const aside = join(dirname(path), `.gc-${randomUUID()}`);
    renameSync(path, aside);
    return { path, aside, sha256, bytes: size };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function putBack(moved: SetAside): void {
  try {
    renameSync(moved.aside, moved.path);
  } catch {
    // Left under its .gc- name: the step that needs it makes it again, as for a damaged blob.
  }
}

async function takeInventory(deps: GarbageCollectorDeps, now: number, graceMs: number): Promise<GcInventory> {
  const { blobs, scratch: strays } = await listBlobStore(deps.blobs.root);
  const scratch = strays.filter((s) => now - s.modifiedAt >= graceMs);
  let usageBytes = blobs.reduce((sum, b) => sum + b.bytes, 0) + strays.reduce((sum, s) => sum + s.bytes, 0);
  for (const entry of await entriesIn(deps.workRoot)) {
    usageBytes += entry.bytes;
    const name = entry.path.slice(deps.workRoot.length + 1);
    // A running job's folder is in use, and a queued one's (interrupted: its kept folders hold what
    // it paid for). Any other is left over, after the grace: a failed job's kept folder holds what its
    // error points to (Claude's refused script), and was removed by the gc run as the job ended.
    const status = JOB_ID.test(name) ? deps.store.getJob(name)?.status : undefined;
    if (status === 'running' || status === 'queued') continue;
    if (now - entry.modifiedAt >= graceMs) scratch.push(entry);
  }

  if (deps.dataDir) {
    for (const entry of await leftoverUploads(deps.store, deps.dataDir)) {
      if (now - entry.modifiedAt < graceMs) continue;
      usageBytes += entry.bytes;
      scratch.push(entry);
    }
    for (const entry of await speechCache(deps.dataDir)) {
      usageBytes += entry.bytes;
      if (now - entry.modifiedAt >= SPEECH_IDLE_MS) scratch.push(entry);
    }
  }

  const kept = new Set<string>(deps.heldByFarm?.() ?? []);
  const named = new Set<string>();
  const ended = new Map<string, { id: string; endedAt: number; blobs: string[] }>();
  for (const use of deps.store.blobUses()) {
    named.add(use.sha256);
    if (use.status !== 'failed' && use.status !== 'cancelled') {
      kept.add(use.sha256);
      continue;
    }
    let job = ended.get(use.jobId);
    if (!job) {
      job = { id: use.jobId, endedAt: Date.parse(use.updatedAt), blobs: [] };
      ended.set(use.jobId, job);
    }
    job.blobs.push(use.sha256);
  }
  return { blobs, scratch, usageBytes, kept, named, failedOrCancelled: [...ended.values()] };
}

/**
 * <blobs>/ab/<sha256> files, and anything else in those folders (a stray partial copy). Nothing is
 * followed through a link, and only the store's own folders (two hex digits) are looked into: a link
 * `blobs/zz` to a folder elsewhere had its files removed as strays, and so had a `blobs/backup`.
 */
async function listBlobStore(root: string): Promise<{ blobs: BlobFile[]; scratch: ScratchEntry[] }> {
  const blobs: BlobFile[] = [];
  const scratch: ScratchEntry[] = [];
  for (const prefix of await namesIn(root)) {
    const dir = join(root, prefix);
    if (!BLOB_PREFIX.test(prefix) || !(await lstat(dir).catch(() => null))?.isDirectory()) continue;
    for (const name of await namesIn(dir)) {
      const path = join(dir, name);
      const info = await lstat(path).catch(() => null);
      if (!info) continue;
      if (info.isFile() && SHA256_NAME.test(name) && name.startsWith(prefix)) {
        blobs.push({ sha256: name, bytes: info.size, modifiedAt: info.mtimeMs });
      } else {
        scratch.push({ path, bytes: await bytesUnder(path), modifiedAt: info.mtimeMs });
      }
    }
  }
  return { blobs, scratch };
}

/**
 * An uploaded script's folder written since the inventory (the same script sent again reuses its
 * folder and writes the script anew): it may be a new job's now. Likewise speech a job has just used.
 */
async function takenUpAgain(deps: GarbageCollectorDeps, path: string): Promise<boolean> {
  if (!deps.dataDir) return false;
  const imported = dirname(path) === join(deps.dataDir, DATA_FOLDERS.imports);
  const speech = dirname(dirname(path)) === join(deps.dataDir, DATA_FOLDERS.speech);
  if (!imported && !speech) return false;
  const info = await lstat(path).catch(() => null);
  const now = (deps.clock ?? Date.now)();
  const keptFor = imported ? (deps.orphanGraceMs ?? ORPHAN_GRACE_MS) : SPEECH_IDLE_MS;
  return info !== null && now - info.mtimeMs < keptFor;
}

/** <data>/speech-cache/<engine>/<files>: each a chunk of speech (and its word timings). */
async function speechCache(dataDir: string): Promise<ScratchEntry[]> {
  const root = join(dataDir, DATA_FOLDERS.speech);
  const entries: ScratchEntry[] = [];
  for (const engine of await namesIn(root)) {
    const dir = join(root, engine);
    if ((await lstat(dir).catch(() => null))?.isDirectory()) entries.push(...(await entriesIn(dir)));
  }
  return entries;
}

/**
 * Uploaded scripts' folders no job reads (a check that failed, an import refused, a preview a crash
 * left) and files an upload left in `uploads/` (a node killed while receiving): nothing removed them.
 */
async function leftoverUploads(store: JobStore, dataDir: string): Promise<ScratchEntry[]> {
  const importsRoot = join(dataDir, DATA_FOLDERS.imports);
  // By the folder's own name (a hash): the data folder may be spelled another way in a job's path
  // (a symlink, --data against VFO_DATA_DIR, a moved folder).
  const read = new Set(
    store
      .scriptPaths()
      .filter((path) => basename(dirname(dirname(path))) === DATA_FOLDERS.imports)
      .map((path) => basename(dirname(path))),
  );
  const folders = (await entriesIn(importsRoot)).filter((entry) => !read.has(basename(entry.path)));
  return [...folders, ...(await entriesIn(join(dataDir, DATA_FOLDERS.uploads)))];
}

/** Each file or folder directly in `dir`, with its size (all it holds) and when it last changed. */
async function entriesIn(dir: string): Promise<ScratchEntry[]> {
  const entries: ScratchEntry[] = [];
  for (const name of await namesIn(dir)) {
    const path = join(dir, name);
    const info = await lstat(path).catch(() => null);
    if (info) entries.push({ path, bytes: await bytesUnder(path), modifiedAt: info.mtimeMs });
  }
  return entries;
}

async function namesIn(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/**
 * Never through a link below `path`: what it points at is not the data folder's to count (or remove).
 * `path` itself is followed when asked: the store's root may be a link to another disk.
 */
async function bytesUnder(path: string, followPath = false): Promise<number> {
  const info = await (followPath ? stat(path) : lstat(path)).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await namesIn(path)) total += await bytesUnder(join(path, name));
  return total;
}

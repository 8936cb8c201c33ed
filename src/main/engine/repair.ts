import { execFileSync } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../log/logger.ts';
import { isPartialPath } from '../util/atomic-file.ts';
import type { JobSettings } from './job-settings.ts';
import type { JobRow, JobStore } from './job-store.ts';
import { thumbnailPathFor } from './output-paths.ts';

/** "host:pid" — who runs a job, so a crash can be told apart from a job another process is running. */
export function ownerId(pid: number = process.pid): string {
  return `${hostname()}:${pid}`;
}

export function isOwnerAlive(owner: string | null): boolean {
  if (!owner) return false;
  const [host, pidText] = owner.split(':');
  if (host !== hostname()) return true; // not ours to judge
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The name ending of a step's folder kept across its attempts (StepContext.keptDir). */
export const KEPT_SUFFIX = '-kept';

/** How often a running job's runner says it still runs it (the row's updated_at). */
export const JOB_HEARTBEAT_MS = 10_000;

/**
 * A running job not heard from for this long has no runner, whatever its owner looks like: the name
 * of another Mac (a Mac renames itself on another network; a data folder is restored on another Mac)
 * or a pid a reboot gave to another process. Six heartbeats: a busy machine misses some.
 */
export const JOB_SILENT_MS = 60_000;

/**
 * Whether a running job's runner is alive: its process is (as far as this machine can tell), and it
 * was heard from lately, or it is a process of this machine that was already running when it was
 * last heard from. A pid is held by one process at a time, so that one wrote the heartbeat: a render
 * stopped for a minute (kill -STOP, a laptop asleep) kept its job, where it was taken over and then
 * run by both processes (found by attacking the engine).
 */
export function isRunnerAlive(job: Pick<JobRow, 'owner' | 'updatedAt'>, now: number = Date.now()): boolean {
  if (!isOwnerAlive(job.owner)) return false;
  const heardAt = Date.parse(job.updatedAt);
  if (now - heardAt < JOB_SILENT_MS) return true;
  const [host, pidText] = (job.owner ?? '').split(':');
  if (host !== hostname()) return false;
  const started = processStartedAt(Number(pidText));
  return started !== null && started < heardAt;
}

/**
 * When process `pid` started, at the earliest (ps's elapsed time is in whole seconds): null when ps
 * cannot tell. `ps -o etime` ([[dd-]hh:]mm:ss) is POSIX, on a Mac as on Linux.
 */
export function processStartedAt(pid: number): number | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let elapsed: string;
  try {
    elapsed = execFileSync('ps', ['-o', 'etime=', '-p', String(pid)], { encoding: 'utf8', timeout: 5000 });
  } catch {
    return null;
  }
  const match = /^\s*(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)\s*$/.exec(elapsed);
  if (!match) return null;
  const [days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
  ];
  const elapsedS = ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
  return Date.now() - (elapsedS + 1) * 1000;
}

export interface RepairReport {
  jobs: string[];
  steps: number;
  partialFiles: number;
}

/**
 * Before any new work: jobs left 'running' by a process that no longer exists go back to 'queued',
 * their 'running' steps back to 'pending', and half-written files are deleted so none is ever taken
 * for a result.
 *
 * Every command repairs as it opens the data folder, and one may be resuming the same job meanwhile
 * (`vfo jobs` beside `vfo render`: the listing put the render's live job back to 'queued' and removed
 * its folder mid-encode). So each job is first claimed for this process, only if its owner is still
 * dead (claimJob), cleaned while this process holds it, and only then given back as 'queued'.
 */
export async function repairInterrupted(
  store: JobStore,
  workRoot: string,
  log: Logger,
  owner: string = ownerId(),
): Promise<RepairReport> {
  const report: RepairReport = { jobs: [], steps: 0, partialFiles: 0 };
  for (const job of store.runningJobs()) {
    if (isRunnerAlive(job)) continue;
    if (store.claimJob(job.id, owner, isRunnerAlive) !== null) continue;
    try {
      await removeScratch(join(workRoot, job.id));
      const output = (job.snapshot as unknown as JobSettings).input?.outputPath;
      // The thumbnail's too: it is written beside the video (found by attacking the engine).
      for (const path of output ? [output, thumbnailPathFor(output)] : [])
        report.partialFiles += await removePartials(dirname(path), basename(path));
    } catch (error) {
      // Given back all the same: a job held by this process past its exit would be taken over only
      // once silent, and every command meanwhile would try (and fail) the same cleaning again.
      log.warn('could not clean up after an interrupted job', { job: job.id, error: String(error) });
    }
    store.transaction(() => {
      for (const step of store.steps(job.id)) {
        if (step.status !== 'running') continue;
        store.updateStep(step.id, { status: 'pending', progress: 0 });
        store.appendStepLog(step.id, 'interrupted (the process running it stopped); will resume');
        report.steps++;
      }
      // Asked to stop before its runner died (the user; a newer job for its file): it stays stopped.
      if (job.cancelRequested)
        store.setJobStatus(job.id, 'cancelled', { owner: null, error: job.error ?? 'cancelled by the user' });
      else
        store.setJobStatus(job.id, 'queued', { owner: null, error: 'interrupted; resumes on the next run' });
    });
    report.jobs.push(job.id);
    log.warn('repaired a job interrupted by a crash', { job: job.id });
  }
  return report;
}

/**
 * A crashed job's attempt folders; its steps' kept folders stay (StepContext.keptDir: the Azure chunks
 * a crashed narration already paid for were asked again; found by a review), but for the files the
 * crash left half written in them.
 */
async function removeScratch(jobDir: string): Promise<void> {
  const entries = await readdir(jobDir).catch(() => [] as string[]);
  for (const entry of entries) {
    const path = join(jobDir, entry);
    if (!entry.endsWith(KEPT_SUFFIX)) await rm(path, { recursive: true, force: true });
    else
      for (const kept of await readdir(path).catch(() => [] as string[]))
        if (isPartialPath(kept)) await rm(join(path, kept), { recursive: true, force: true });
  }
}

/**
 * The half-written files beside a crashed job's output, but not one a live process is writing now
 * (another job delivering to the same path): each names its writer's pid (partialPathFor).
 */
async function removePartials(dir: string, prefix: string): Promise<number> {
  let removed = 0;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const writer = /\.partial-(\d+)-/.exec(name)?.[1];
    if (
      name.startsWith(prefix) &&
      isPartialPath(name) &&
      !isOwnerAlive(writer ? ownerId(Number(writer)) : null)
    ) {
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { artifacts, type JobStatus, type Json, jobSteps, jobs, type StepStatus } from '../db/schema.ts';
import type { TaskGraph } from './graph.ts';
import type { JobSettings } from './job-settings.ts';
import { entryKey } from './output-paths.ts';
import type { StepFile, StepOutput } from './step-handler.ts';

export type JobRow = typeof jobs.$inferSelect;
export type StepRow = typeof jobSteps.$inferSelect;
export type ArtifactRow = typeof artifacts.$inferSelect;
/** Why claimJob left a job alone: a live process runs it, or it ended. */
export type ClaimRefusal = { owner: string } | { status: JobStatus };

const now = (): string => new Date().toISOString();

/** For a transaction that reads, then writes (see `transaction`). */
const IMMEDIATE = { behavior: 'immediate' } as const;

/** All SQL the engine runs, in one place; callers see rows and plain values. */
export class JobStore {
  private readonly db: Db;
  private readonly blobPath: (sha256: string) => string;

  /**
   * `blobPath`: where the blob of a checksum is now. A step's files are read there, not at the path
   * stored when they were made: a data folder moved (mv dA dB) had every step made again, and one copied
   * (cp -a) read the original folder's blobs (found by attacking the engine).
   */
  constructor(db: Db, blobPath: (sha256: string) => string) {
    this.db = db;
    this.blobPath = blobPath;
  }

  /** `priority`: higher runs first on the farm (the job's tasks carry it); 0 by default. */
  createJob(settings: JobSettings, graph: TaskGraph, inputKey: string, priority = 0): JobRow {
    const id = randomUUID();
    const at = now();
    return this.db.transaction((tx) => {
      const job = tx
        .insert(jobs)
        .values({
          id,
          recipeId: settings.recipe.id,
          recipeSlug: settings.recipe.slug,
          recipeVersion: settings.recipe.version,
          snapshot: settings as unknown as Json,
          input: settings.input as unknown as Json,
          inputKey,
          manifest: {},
          status: 'queued',
          priority,
          warnings: [],
          createdAt: at,
          updatedAt: at,
        })
        .returning()
        .get();
      graph.steps.forEach((step, order) => {
        tx.insert(jobSteps)
          .values({
            id: randomUUID(),
            jobId: id,
            stepKey: step.key,
            kind: step.kind,
            stepOrder: order,
            status: 'pending',
          })
          .run();
      });
      return job;
    });
  }

  setPriority(id: string, priority: number): void {
    this.db.update(jobs).set({ priority, updatedAt: now() }).where(eq(jobs.id, id)).run();
  }

  getJob(id: string): JobRow | undefined {
    return this.db.select().from(jobs).where(eq(jobs.id, id)).get();
  }

  /** The script every job reads (whatever its status: a failed job can be run again). */
  scriptPaths(): string[] {
    return this.db
      .select({ input: jobs.input })
      .from(jobs)
      .all()
      .flatMap(({ input }) => {
        const path = (input as { scriptPath?: unknown }).scriptPath;
        return typeof path === 'string' ? [path] : [];
      });
  }

  /** Accepts a unique prefix of the id, as people type short ids. */
  findJob(idOrPrefix: string): JobRow | undefined {
    const exact = this.getJob(idOrPrefix);
    if (exact) return exact;
    const [only, ...more] = this.jobIdsStartingWith(idOrPrefix, 2);
    return only && more.length === 0 ? this.getJob(only) : undefined;
  }

  /** Up to `limit` job ids that start with `prefix` (4 hex digits or more): none for a shorter one. */
  jobIdsStartingWith(prefix: string, limit: number): string[] {
    if (!/^[0-9a-f-]{4,}$/.test(prefix)) return [];
    const rows = this.db.$client
      .prepare('SELECT id FROM jobs WHERE id LIKE ? ORDER BY id LIMIT ?')
      .all(`${prefix}%`, limit) as { id: string }[];
    return rows.map((row) => row.id);
  }

  listJobs(limit = 50): JobRow[] {
    return this.db.select().from(jobs).orderBy(desc(jobs.createdAt)).limit(limit).all();
  }

  findUnfinishedByKey(inputKey: string): JobRow | undefined {
    return this.db
      .select()
      .from(jobs)
      .where(
        and(eq(jobs.inputKey, inputKey), inArray(jobs.status, ['queued', 'running', 'failed', 'cancelled'])),
      )
      .orderBy(desc(jobs.createdAt))
      .get();
  }

  /**
   * Cancels, with `error`, every queued job but `keep` that would deliver to the file `outputPath`
   * names, however its path reads (a symlinked folder, another case on a Mac), and says which; one
   * running is asked to stop, with `error` as its reason (it delivered over the newer job's video
   * when it ended last). (A cell that is not JSON is no match: it must not fail every job.)
   */
  supersedeOlder(
    outputPath: string,
    keep: string,
    error: string,
  ): { cancelled: string[]; stopping: string[] } {
    const target = sql<
      string | null
    >`case when json_valid(${jobs.input}) then json_extract(${jobs.input}, '$.outputPath') end`;
    const file = entryKey(outputPath);
    return this.transaction(() => {
      const same = this.db
        .select({ id: jobs.id, status: jobs.status, path: target })
        .from(jobs)
        .where(and(inArray(jobs.status, ['queued', 'running']), ne(jobs.id, keep)))
        .all()
        .filter((row) => typeof row.path === 'string' && entryKey(row.path) === file);
      const of = (status: string) => same.filter((row) => row.status === status).map((row) => row.id);
      const [cancelled, stopping] = [of('queued'), of('running')];
      this.db
        .update(jobs)
        .set({ status: 'cancelled', error, updatedAt: now() })
        .where(inArray(jobs.id, cancelled))
        .run();
      this.db
        .update(jobs)
        .set({ cancelRequested: true, error, updatedAt: now() })
        .where(inArray(jobs.id, stopping))
        .run();
      return { cancelled, stopping };
    });
  }

  steps(jobId: string): StepRow[] {
    return this.db.select().from(jobSteps).where(eq(jobSteps.jobId, jobId)).orderBy(jobSteps.stepOrder).all();
  }

  setJobStatus(jobId: string, status: JobStatus, fields: Partial<JobRow> = {}): void {
    this.db
      .update(jobs)
      .set({ ...fields, status, updatedAt: now() })
      .where(eq(jobs.id, jobId))
      .run();
  }

  /**
   * A running job's heartbeat: its runner `owner` still runs it (see isRunnerAlive). False when the job
   * is no longer `owner`'s to run (taken over as interrupted, while this process was stopped).
   */
  touchJob(jobId: string, owner: string): boolean {
    return (
      this.db
        .update(jobs)
        .set({ updatedAt: now() })
        .where(and(eq(jobs.id, jobId), eq(jobs.status, 'running'), eq(jobs.owner, owner)))
        .run().changes > 0
    );
  }

  /** Ends a run of `owner`'s: only while the job is still its own (false: another process holds it). */
  endRun(jobId: string, owner: string, status: JobStatus, fields: Partial<JobRow> = {}): boolean {
    return (
      this.db
        .update(jobs)
        .set({ ...fields, owner: null, status, updatedAt: now() })
        .where(and(eq(jobs.id, jobId), eq(jobs.status, 'running'), eq(jobs.owner, owner)))
        .run().changes > 0
    );
  }

  addWarning(jobId: string, message: string): void {
    const job = this.getJob(jobId);
    if (!job || job.warnings.includes(message)) return;
    this.db
      .update(jobs)
      .set({ warnings: [...job.warnings, message], updatedAt: now() })
      .where(eq(jobs.id, jobId))
      .run();
  }

  updateStep(stepId: string, fields: Partial<StepRow> & { status?: StepStatus }): void {
    this.db.update(jobSteps).set(fields).where(eq(jobSteps.id, stepId)).run();
  }

  appendStepLog(stepId: string, line: string): void {
    this.db.$client
      .prepare('UPDATE job_steps SET logs = substr(logs || ? || char(10), -65536) WHERE id = ?')
      .run(`${now()} ${line}`, stepId);
  }

  /** Earlier successful runs with the same input hash, newest first: candidates for reuse. */
  doneStepsWithHash(inputHash: string, excludeStepId: string): StepRow[] {
    return this.db
      .select()
      .from(jobSteps)
      .where(and(eq(jobSteps.inputHash, inputHash), eq(jobSteps.status, 'done')))
      .orderBy(desc(jobSteps.completedAt))
      .limit(5)
      .all()
      .filter((s) => s.id !== excludeStepId);
  }

  artifact(id: string): ArtifactRow | undefined {
    const row = this.db.select().from(artifacts).where(eq(artifacts.id, id)).get();
    return row && this.whereNow(row);
  }

  /** An artifact with the path its blob has now (see the constructor): the stored one may be elsewhere. */
  private whereNow(row: ArtifactRow): ArtifactRow {
    return { ...row, path: this.blobPath(row.sha256) };
  }

  /** The steps whose results are this content, newest first: who can make it again. */
  producersOf(sha256: string, limit = 20): { jobId: string; stepKey: string }[] {
    const rows = this.db
      .select({ jobId: artifacts.jobId, stepKey: artifacts.stepKey })
      .from(artifacts)
      .where(eq(artifacts.sha256, sha256))
      .orderBy(desc(artifacts.createdAt))
      .limit(limit)
      .all();
    const seen = new Set<string>();
    return rows.filter((r) => {
      const key = `${r.jobId}\n${r.stepKey}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  jobArtifacts(jobId: string): ArtifactRow[] {
    return this.db
      .select()
      .from(artifacts)
      .where(eq(artifacts.jobId, jobId))
      .all()
      .map((row) => this.whereNow(row));
  }

  insertArtifact(row: Omit<ArtifactRow, 'id' | 'createdAt'>): ArtifactRow {
    return this.db
      .insert(artifacts)
      .values({ ...row, id: randomUUID(), createdAt: now() })
      .returning()
      .get();
  }

  deleteArtifacts(ids: string[]): void {
    if (ids.length > 0) this.db.delete(artifacts).where(inArray(artifacts.id, ids)).run();
  }

  /** Resolve a step's stored output refs into the files and data its dependents read. */
  outputOf(step: StepRow): StepOutput | undefined {
    const refs = step.outputRefs as { files?: Record<string, string>; data?: Json } | null;
    if (!refs) return undefined;
    const files: Record<string, StepFile> = {};
    for (const [name, artifactId] of Object.entries(refs.files ?? {})) {
      const row = this.artifact(artifactId);
      if (!row) return undefined;
      files[name] = {
        artifactId: row.id,
        path: row.path,
        sha256: row.sha256,
        size: row.size,
        type: row.type,
      };
    }
    return { files, data: refs.data ?? null };
  }

  requestCancel(jobId: string): void {
    this.db.update(jobs).set({ cancelRequested: true, updatedAt: now() }).where(eq(jobs.id, jobId)).run();
  }

  /** Asked twice a second while a job runs: one column, not the row (its settings may be large). */
  isCancelRequested(jobId: string): boolean {
    const row = this.db
      .select({ cancelRequested: jobs.cancelRequested })
      .from(jobs)
      .where(eq(jobs.id, jobId))
      .get();
    return row?.cancelRequested ?? false;
  }

  runningJobs(): JobRow[] {
    return this.db.select().from(jobs).where(eq(jobs.status, 'running')).all();
  }

  /** Every blob an artifact names, with its job's status: what garbage collection must respect. */
  blobUses(): { jobId: string; status: JobStatus; updatedAt: string; sha256: string }[] {
    return this.db
      .select({ jobId: jobs.id, status: jobs.status, updatedAt: jobs.updatedAt, sha256: artifacts.sha256 })
      .from(artifacts)
      .innerJoin(jobs, eq(artifacts.jobId, jobs.id))
      .all();
  }

  isBlobNamed(sha256: string): boolean {
    return (
      this.db.select({ id: artifacts.id }).from(artifacts).where(eq(artifacts.sha256, sha256)).get() !==
      undefined
    );
  }

  /**
   * Forgets a failed or cancelled job's results: its artifacts go, and its finished steps go back to
   * pending (a retry makes them again instead of reading files that are gone). `release` is called for
   * each blob no artifact names any more, inside the same transaction: another process never sees a row
   * without its file, nor reuses a file about to go. Undefined (nothing done) if the job is no longer
   * failed or cancelled (retried meanwhile).
   */
  forgetResults(jobId: string, release: (sha256: string) => void): { artifacts: number } | undefined {
    return this.db.transaction((tx) => {
      const job = tx.select({ status: jobs.status }).from(jobs).where(eq(jobs.id, jobId)).get();
      if (job?.status !== 'failed' && job?.status !== 'cancelled') return undefined;
      const rows = tx.select().from(artifacts).where(eq(artifacts.jobId, jobId)).all();
      tx.delete(artifacts).where(eq(artifacts.jobId, jobId)).run();
      const done = tx
        .select({ id: jobSteps.id })
        .from(jobSteps)
        .where(and(eq(jobSteps.jobId, jobId), eq(jobSteps.status, 'done')))
        .all();
      for (const step of done) {
        tx.update(jobSteps)
          .set({ status: 'pending', outputRefs: null, progress: 0 })
          .where(eq(jobSteps.id, step.id))
          .run();
        this.appendStepLog(step.id, 'result collected to free disk space; a retry makes it again');
      }
      for (const sha256 of new Set(rows.map((r) => r.sha256))) {
        if (!this.isBlobNamed(sha256)) release(sha256);
      }
      return { artifacts: rows.length };
    }, IMMEDIATE);
  }

  /**
   * Immediate: the write lock is taken (within the busy timeout) before the first read, so what `fn`
   * reads is what it writes over, whatever another process does at that moment (a deferred transaction
   * that read first was refused at its first write instead, "database is locked").
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(() => fn(), IMMEDIATE);
  }

  /**
   * Makes `owner` the runner (running, no cancel pending) of a queued job or of one whose runner died;
   * null when it did. Otherwise nothing changes, and it says why: the live process other than `owner`
   * that runs it (two `vfo render`s of one script found the same job and ran it at once; a repair
   * judged a job on an owner read earlier), or the status it ended in since it was chosen (a newer
   * job for its file superseded it between its `createJob` and its run, which then revived it).
   */
  claimJob(jobId: string, owner: string, runnerAlive: (job: JobRow) => boolean): ClaimRefusal | null {
    return this.transaction(() => {
      const row = this.getJob(jobId);
      if (!row) throw new Error(`no job ${jobId}`);
      if (row.status === 'running' && row.owner && row.owner !== owner && runnerAlive(row))
        return { owner: row.owner };
      if (row.status !== 'queued' && row.status !== 'running') return { status: row.status };
      this.setJobStatus(jobId, 'running', { owner, error: null, cancelRequested: false });
      return null;
    });
  }

  /** A failed or cancelled job asked for again is queued again (and then claimable); true if it was. */
  reopen(jobId: string): boolean {
    const changed = this.db
      .update(jobs)
      .set({ status: 'queued', error: null, cancelRequested: false, updatedAt: now() })
      .where(and(eq(jobs.id, jobId), inArray(jobs.status, ['failed', 'cancelled'])))
      .run();
    return changed.changes > 0;
  }
}

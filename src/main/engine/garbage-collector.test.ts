/**
 * Garbage collection with a real database and real files: the engine harness runs real jobs (small
 * fake step kinds writing text files into the real blob store), then collection runs over them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jobs } from '../db/schema.ts';
import { blobsHeldByOriginTasks, Origin } from '../farm/node/origin.ts';
import { createLogger } from '../log/logger.ts';
import { diskBudgetSetting } from '../settings/index.ts';
import { sha256Hex } from '../util/hash.ts';
import { createHarness, DIAMOND, type Harness, jobInput } from './engine.fixture.ts';
import { collectGarbage, type GarbageCollectorDeps, measureUsage } from './garbage-collector.ts';
import type { JobRow } from './job-store.ts';

let h: Harness;
afterEach(async () => h?.close());

const HOUR = 3600_000;

async function setUp(): Promise<Harness> {
  h = await createHarness({ maxAttempts: 1 });
  h.addRecipe('diamond', DIAMOND);
  // The same graph with a different last step: it reuses the first three steps of 'diamond' jobs.
  h.addRecipe('diamond-x', {
    steps: DIAMOND.steps.map((s) => (s.key === 'final' ? { ...s, with: { variant: 1 } } : s)),
  });
  return h;
}

function gcDeps(extra: Partial<GarbageCollectorDeps> = {}): GarbageCollectorDeps {
  return {
    store: h.engine.store,
    blobs: h.engine.blobs,
    workRoot: h.engine.workRoot,
    log: createLogger('GcTest'),
    heldByFarm: () => blobsHeldByOriginTasks(h.database.sqlite),
    ...extra,
  };
}

async function render(name: string, recipe = 'diamond'): Promise<JobRow> {
  const { job } = h.engine.createJob({ recipe, input: jobInput(h, name) });
  return h.engine.run(job.id);
}

async function failAtFinal(name: string, recipe = 'diamond'): Promise<JobRow> {
  h.behaviour.fatal.add('final');
  try {
    return await render(name, recipe);
  } finally {
    h.behaviour.fatal.delete('final');
  }
}

/** Starts a job that stops in its last step until cancelled: its first three steps are done. */
async function startHanging(name: string): Promise<{ job: JobRow; finished: Promise<JobRow> }> {
  h.behaviour.hangKeys.add('final');
  const started = h.calls.final ?? 0;
  const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h, name) });
  const finished = h.engine.run(job.id);
  // The fake step counts its call and starts hanging in the same tick.
  const deadline = Date.now() + 15_000;
  while ((h.calls.final ?? 0) === started) {
    if (Date.now() > deadline) throw new Error(`job ${name} never reached its last step`);
    await new Promise((r) => setTimeout(r, 10));
  }
  h.behaviour.hangKeys.delete('final');
  return { job, finished };
}

/** The blob files a job's artifacts name (recorded before collection: collection forgets them). */
function blobFiles(job: JobRow): string[] {
  return [...new Set(h.engine.store.jobArtifacts(job.id).map((a) => a.path))];
}

const allExist = (paths: string[]) => paths.length > 0 && paths.every((p) => existsSync(p));
const noneExist = (paths: string[]) => paths.length > 0 && paths.every((p) => !existsSync(p));

describe('vfo gc (collectGarbage)', () => {
  it("removes failed and cancelled jobs' blobs; keeps a running job's, a queued job's cached steps, a done job's and shared ones", async () => {
    await setUp();
    const done = await render('a');
    const failed = await failAtFinal('f');
    // Reuses the done job's first three results, then fails: those blobs are named by both jobs.
    const sharing = await failAtFinal('a', 'diamond-x');
    const requeued = await failAtFinal('q');
    h.engine.retry(requeued.id); // queued again: its finished steps are the cache it resumes from
    const hanging = await startHanging('c');
    h.engine.cancel(hanging.job.id);
    const cancelled = await hanging.finished;
    const running = await startHanging('r');
    expect([done.status, failed.status, sharing.status, cancelled.status]).toEqual([
      'done',
      'failed',
      'failed',
      'cancelled',
    ]);
    expect(h.engine.store.getJob(running.job.id)?.status).toBe('running');

    const before = {
      done: blobFiles(done),
      failed: blobFiles(failed),
      sharing: blobFiles(sharing),
      requeued: blobFiles(requeued),
      cancelled: blobFiles(cancelled),
      running: blobFiles(running.job),
    };
    expect(before.sharing.every((p) => before.done.includes(p))).toBe(true);

    const dry = await collectGarbage(gcDeps(), { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, jobs: 3, blobs: { count: 6 } });
    expect(allExist(before.failed) && allExist(before.cancelled)).toBe(true);

    const report = await collectGarbage(gcDeps());
    expect(report).toMatchObject({ dryRun: false, jobs: 3, blobs: { count: 6 } });
    expect(report.blobs.bytes).toBe(dry.blobs.bytes);
    expect(report.usageAfter).toBe(await measureUsage(h.engine.blobs, h.engine.workRoot));

    expect(noneExist(before.failed)).toBe(true);
    expect(noneExist(before.cancelled)).toBe(true);
    // The collected jobs' records agree: no artifacts, and the steps that had finished are pending again.
    for (const job of [failed, cancelled]) {
      expect(h.engine.store.jobArtifacts(job.id)).toEqual([]);
      expect(h.engine.store.steps(job.id).filter((s) => s.status === 'done')).toEqual([]);
    }
    expect(allExist(before.done)).toBe(true);
    expect(allExist(before.sharing)).toBe(true);
    expect(allExist(before.requeued)).toBe(true);
    expect(allExist(before.running)).toBe(true);
    // The running job's scratch folder is in use and stays; it still finishes.
    expect(existsSync(join(h.engine.workRoot, running.job.id))).toBe(true);
    h.engine.cancel(running.job.id);
    await running.finished;

    // The done job's steps are still a cache: rendering it again runs nothing.
    const calls = { ...h.calls };
    expect((await render('a')).status).toBe('done');
    expect(h.calls).toEqual(calls);
    // The queued job resumes from its kept results: only its last step runs.
    expect((await h.engine.run(requeued.id)).status).toBe('done');
    expect(h.calls.final).toBe((calls.final ?? 0) + 1);
    // A collected job is not broken: a retry makes its results again.
    h.engine.retry(failed.id);
    expect((await h.engine.run(failed.id)).status).toBe('done');
    expect(allExist(blobFiles(failed))).toBe(true);
  });

  it('keeps a blob a farm task of this node still needs, even when only a failed job names it', async () => {
    await setUp();
    const failed = await failAtFinal('f');
    const voice = h.engine.store.jobArtifacts(failed.id).find((a) => a.stepKey === 'voice');
    const origin = new Origin({
      sqlite: h.database.sqlite,
      dataDir: join(h.dir, 'data'),
      nodeId: 'node-1',
      selfUrl: () => 'http://127.0.0.1:1',
      client: { json: () => Promise.reject(new Error('no network in this test')) },
      coordinator: () => null,
      ffmpeg: () => Promise.reject(new Error('not used')),
      blobPath: (sha) => h.engine.blobs.pathFor(sha),
    });
    const plan = {
      assets: { narration: { sha256: voice?.sha256, size: voice?.size, kind: 'audio', name: 'n.wav' } },
    } as unknown as Parameters<Origin['awaitTask']>[0]['plan'];
    const controller = new AbortController();
    const waiting = origin
      .awaitTask({ taskId: 'a'.repeat(64), jobId: failed.id, plan, signal: controller.signal })
      .catch(() => 'stopped');
    controller.abort();
    await waiting;

    const files = blobFiles(failed);
    await collectGarbage(gcDeps());
    expect(existsSync(voice?.path as string)).toBe(true);
    expect(files.filter((p) => existsSync(p))).toEqual([voice?.path]);
  });

  it('removes orphan blobs and stale scratch older than the grace period, never a fresh one', async () => {
    await setUp();
    const done = await render('a');
    const now = Date.now();
    const orphan = async (text: string, ageMs: number) => {
      const path = h.engine.blobs.pathFor(sha256Hex(text));
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, text);
      const at = (now - ageMs) / 1000;
      await utimes(path, at, at);
      return path;
    };
    const old = await orphan('left by a crash', 2 * HOUR);
    const fresh = await orphan('being recorded right now', 0);
    const crashed = join(h.engine.workRoot, done.id, 'video-1');
    await mkdir(crashed, { recursive: true });
    await writeFile(join(crashed, 'half.mp4'), 'x'.repeat(1000));
    const crashedAt = (now - 2 * HOUR) / 1000;
    await utimes(join(h.engine.workRoot, done.id), crashedAt, crashedAt);

    const report = await collectGarbage(gcDeps({ clock: () => now }));
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(crashed)).toBe(false);
    expect(report.blobs.count).toBe(1);
    expect(report.scratch.bytes).toBeGreaterThanOrEqual(1000);
    expect(allExist(blobFiles(done))).toBe(true);
  });

  // Found by attacking the data folder: a link blobs/zz to a folder elsewhere had that folder's files
  // removed as strays of the store, and so had a folder blobs/backup the user put there.
  it('looks only into the store’s own folders, never through a link', async () => {
    await setUp();
    await render('a');
    const outside = join(h.dir, 'outside');
    await mkdir(join(outside, 'sub'), { recursive: true });
    await writeFile(join(outside, 'notes.txt'), 'important');
    await writeFile(join(outside, 'sub', 'deep.txt'), 'deep');
    await symlink(outside, join(h.engine.blobs.root, 'zz'));
    await symlink(outside, join(h.engine.blobs.root, 'ab'));
    await mkdir(join(h.engine.blobs.root, 'backup'), { recursive: true });
    await writeFile(join(h.engine.blobs.root, 'backup', 'photo.jpg'), 'mine');
    const later = Date.now() + 3 * HOUR;

    await collectGarbage(gcDeps({ clock: () => later }));
    expect(readdirSync(outside).sort()).toEqual(['notes.txt', 'sub']);
    expect(readdirSync(join(outside, 'sub'))).toEqual(['deep.txt']);
    expect(readdirSync(join(h.engine.blobs.root, 'backup'))).toEqual(['photo.jpg']);
  });

  // Found by attacking the data folder: one blob that would not go (its folder made read-only) failed
  // the transaction after the blobs before it were unlinked, leaving rows naming files gone, and
  // stopped every collection after it, at every gc.
  it('puts back what it set aside when a job’s collection fails, and collects the rest', async () => {
    await setUp();
    const first = await failAtFinal('f');
    const second = await failAtFinal('g');
    const firstFiles = blobFiles(first);
    const secondFiles = blobFiles(second);
    expect(firstFiles.length).toBeGreaterThan(1);
    const store = h.engine.store;
    const named = store.isBlobNamed.bind(store);
    let asked = 0;
    vi.spyOn(store, 'isBlobNamed').mockImplementation((sha256) => {
      asked++;
      // The first job's second blob: after its first was set aside.
      if (asked === 2) throw new Error('EACCES: permission denied');
      return named(sha256);
    });
    const report = await collectGarbage(gcDeps());
    vi.restoreAllMocks();

    expect(report.problems).toEqual([`job ${first.id}: EACCES: permission denied`]);
    // The failed job is as it was: every row, every file.
    expect(
      store
        .jobArtifacts(first.id)
        .map((a) => a.path)
        .sort(),
    ).toEqual([...firstFiles].sort());
    expect(allExist(firstFiles)).toBe(true);
    // The next was collected all the same.
    expect(report.jobs).toBe(1);
    expect(noneExist(secondFiles)).toBe(true);
    expect(store.jobArtifacts(second.id)).toEqual([]);
  });

  it('keeps speech any job may reuse for a week after its last use, counting it as used disk', async () => {
    await setUp();
    const dataDir = join(h.dir, 'data');
    const cache = join(dataDir, 'speech-cache', 'azure');
    await mkdir(cache, { recursive: true });
    const chunk = async (name: string, daysAgo: number) => {
      const path = join(cache, name);
      await writeFile(path, 'x'.repeat(100));
      const at = (Date.now() - daysAgo * 24 * HOUR) / 1000;
      await utimes(path, at, at);
      return path;
    };
    const stale = await chunk('azure-stale.wav', 8);
    const recent = await chunk('azure-recent.wav', 6);
    const before = await measureUsage(h.engine.blobs, h.engine.workRoot, dataDir);
    expect(before - (await measureUsage(h.engine.blobs, h.engine.workRoot))).toBe(200);

    const report = await collectGarbage(gcDeps({ dataDir }));
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(report.scratch).toMatchObject({ count: 1, bytes: 100 });
  });

  // Found in review: Claude's refused script, kept for its error's file:line:col to be read, went with
  // the gc run as its job ended (the disk budget's).
  it('keeps an ended job’s folder for the grace period', async () => {
    await setUp();
    const failed = await failAtFinal('f');
    const kept = join(h.engine.workRoot, failed.id, 'write-kept');
    await mkdir(kept, { recursive: true });
    await writeFile(join(kept, 'written-script.md'), '# One\n\nHello [boom].\n');
    await collectGarbage(gcDeps());
    expect(existsSync(join(kept, 'written-script.md'))).toBe(true);
    await collectGarbage(gcDeps({ clock: () => Date.now() + 2 * HOUR }));
    expect(existsSync(join(h.engine.workRoot, failed.id))).toBe(false);
  });

  // Found by attacking the data folder: an interrupted job (queued again by the repair) lost its kept
  // folders, which hold what it paid for (Azure's chunks), to the next gc.
  it('keeps a queued job’s folder, with its kept folders', async () => {
    await setUp();
    const requeued = await failAtFinal('q');
    h.engine.retry(requeued.id);
    const kept = join(h.engine.workRoot, requeued.id, 'narration-kept', 'chunks');
    await mkdir(kept, { recursive: true });
    await writeFile(join(kept, 'chunk-0.wav'), 'paid for');
    await collectGarbage(gcDeps({ clock: () => Date.now() + 3 * HOUR }));
    expect(existsSync(join(kept, 'chunk-0.wav'))).toBe(true);
  });

  it('keeps the folder of a job that started again since the inventory (a retry beside vfo gc)', async () => {
    await setUp();
    const failed = await failAtFinal('a');
    const folder = join(h.engine.workRoot, failed.id, 'final-2');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'picture.png'), 'the encode reads this');
    // `vfo jobs retry` in another process starts the job after gc listed its folder as left over.
    const { hostname } = await import('node:os');
    const store = h.engine.store;
    const uses = store.blobUses.bind(store);
    vi.spyOn(store, 'blobUses').mockImplementation(() => {
      store.reopen(failed.id);
      store.claimJob(failed.id, `${hostname()}:${process.ppid}`, () => true);
      return uses();
    });
    await collectGarbage(gcDeps());
    expect(existsSync(join(folder, 'picture.png'))).toBe(true);
    // Not running: its folder goes, by way of a name the next gc would remove were this one killed.
    store.setJobStatus(failed.id, 'failed', { owner: null });
    vi.restoreAllMocks();
    await collectGarbage(gcDeps({ clock: () => Date.now() + 2 * HOUR }));
    expect(existsSync(join(h.engine.workRoot, failed.id))).toBe(false);
    expect(readdirSync(h.engine.workRoot).filter((name) => name.startsWith('.gc-'))).toEqual([]);
  });
});

describe('uploads left behind', () => {
  // Found by attacking a node: uploaded scripts whose check failed, and files a node killed while
  // receiving left in uploads/, were never removed by anything.
  it('sweeps uploaded scripts no job reads and abandoned uploads, after the grace period', async () => {
    await setUp();
    const dataDir = join(h.dir, 'data');
    const now = Date.now();
    const made = async (path: string, ageMs: number, file = 'talk.md') => {
      await mkdir(path, { recursive: true });
      await writeFile(join(path, file), 'x'.repeat(100));
      const at = (now - ageMs) / 1000;
      await utimes(path, at, at);
      return path;
    };
    const read = await made(join(dataDir, 'imports', '0123456789abcdef'), 2 * HOUR);
    h.engine.createJob({
      recipe: 'diamond',
      input: { ...jobInput(h, 'r'), scriptPath: join(read, 'talk.md') },
    });
    // A job whose path spells the data folder another way (a symlink to it) still keeps its folder.
    const other = await made(join(dataDir, 'imports', '00000000000000aa'), 2 * HOUR);
    await symlink(dataDir, join(h.dir, 'data-link'));
    h.engine.createJob({
      recipe: 'diamond',
      input: {
        ...jobInput(h, 's'),
        scriptPath: join(h.dir, 'data-link', 'imports', '00000000000000aa', 'talk.md'),
      },
    });
    const unread = await made(join(dataDir, 'imports', 'fedcba9876543210'), 2 * HOUR);
    const fresh = await made(join(dataDir, 'imports', '.check-being-checked'), 0);
    const uploads = join(dataDir, 'uploads');
    const partial = join(uploads, `${'a'.repeat(64)}-x.partial-1`);
    await mkdir(uploads, { recursive: true });
    await writeFile(partial, 'y'.repeat(300));
    await utimes(partial, (now - 2 * HOUR) / 1000, (now - 2 * HOUR) / 1000);

    const report = await collectGarbage(gcDeps({ clock: () => now, dataDir }));
    expect(existsSync(read)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(existsSync(unread)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(partial)).toBe(false);
    expect(report.scratch.bytes).toBeGreaterThanOrEqual(400);
  });
});

describe('the disk budget (storage.diskBudget)', () => {
  /**
   * Two failed jobs, the first ended an hour before the second. The second reused the first one's
   * script and voice results (so both name those blobs) and made its own notes.
   */
  async function twoFailedJobs() {
    await setUp();
    h.addRecipe('diamond-y', {
      steps: DIAMOND.steps.map((s) =>
        s.key === 'notes'
          ? { ...s, with: { usesVoice: true } }
          : s.key === 'final'
            ? { ...s, with: { v: 2 } }
            : s,
      ),
    });
    await render('a');
    const older = await failAtFinal('old');
    const newer = await failAtFinal('old', 'diamond-y');
    h.database.db
      .update(jobs)
      .set({ updatedAt: new Date(Date.now() - HOUR).toISOString() })
      .where(eq(jobs.id, older.id))
      .run();
    const olderFiles = blobFiles(older);
    const newerFiles = blobFiles(newer);
    return {
      olderOnly: olderFiles.filter((p) => !newerFiles.includes(p)),
      shared: olderFiles.filter((p) => newerFiles.includes(p)),
      newer: newerFiles,
    };
  }

  it('collects after a job ends when over the budget, oldest first, until under it', async () => {
    const { olderOnly, shared, newer } = await twoFailedJobs();
    expect(shared).toHaveLength(2);
    const usage = await measureUsage(h.engine.blobs, h.engine.workRoot);
    diskBudgetSetting.write(h.database.db, { maxBytes: usage - 1 });

    expect((await render('a')).status).toBe('done'); // reuses everything: adds no file

    expect(noneExist(olderOnly)).toBe(true);
    // The newer failed job still names the shared blobs: they go with it, not before.
    expect(allExist(shared)).toBe(true);
    expect(allExist(newer)).toBe(true);
    expect(await measureUsage(h.engine.blobs, h.engine.workRoot)).toBeLessThan(usage);
  });

  it('removes nothing when under the budget, or when there is no budget', async () => {
    const { olderOnly: older, newer } = await twoFailedJobs();
    const usage = await measureUsage(h.engine.blobs, h.engine.workRoot);
    await render('a');
    diskBudgetSetting.write(h.database.db, { maxBytes: usage });
    await render('a');
    expect(allExist(older) && allExist(newer)).toBe(true);
    expect(await measureUsage(h.engine.blobs, h.engine.workRoot)).toBe(usage);
  });
});

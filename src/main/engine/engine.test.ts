import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHarness, DIAMOND, type Harness, jobInput } from './engine.fixture.ts';
import type { EngineEvent } from './events.ts';
import { VIDEO_STEP_KIND } from './graph.ts';
import { isRunnerAlive, JOB_SILENT_MS, ownerId } from './repair.ts';

let h: Harness;
afterEach(async () => h?.close());

async function render(name = 'a') {
  const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h, name) });
  return h.engine.run(job.id);
}

describe('engine', () => {
  it('runs a diamond pipeline, delivers the video and records artifacts with checksums', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const job = await render();
    expect(job.status).toBe('done');
    expect(await readFile(job.outputPath as string, 'utf8')).toBe(
      'final(voice(script:a)@default)(notes(script:a))',
    );
    const steps = h.engine.store.steps(job.id);
    expect(steps.map((s) => [s.stepKey, s.status])).toEqual([
      ['script', 'done'],
      ['voice', 'done'],
      ['notes', 'done'],
      ['final', 'done'],
    ]);
    const artifacts = h.engine.store.jobArtifacts(job.id);
    expect(artifacts).toHaveLength(4);
    for (const a of artifacts) expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  // Found by attacking the Library: a recipe row edited by hand to drop its encode step made jobs
  // that ended "done" with no video.
  it('refuses a job whose recipe makes no video where this build makes videos, naming the recipe', async () => {
    h = await createHarness({ kinds: ['test.a', 'test.b', VIDEO_STEP_KIND] });
    h.addRecipe('diamond', DIAMOND);
    expect(() => h.engine.createJob({ recipe: 'diamond', input: jobInput(h) })).toThrow(
      'recipe "diamond" version 1: pipeline makes no video: it needs a step of kind "render.encode"; fix it in the Library',
    );
    const steps = DIAMOND.steps.map((s) => (s.key === 'final' ? { ...s, kind: VIDEO_STEP_KIND } : s));
    h.addRecipe('with-video', { steps });
    const { job } = h.engine.createJob({ recipe: 'with-video', input: jobInput(h) });
    expect((await h.engine.run(job.id)).status).toBe('done');
  });

  // Found by attacking the pipeline: a job a crash left queued ran at the next start, with the
  // settings it was made with, and delivered over the newer video made since with other ones.
  it('cancels a queued job for a file when a newer job is asked for the same file', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    h.addRecipe('other', DIAMOND);
    h.addRecipe('third', DIAMOND);
    const supersededBy = (id: string) => `superseded by job ${id}, which delivers to the same file`;
    const { job: stale } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const { job: elsewhere } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h, 'b') });
    const events: EngineEvent[] = [];
    h.engine.subscribe((e) => events.push(e));
    // The same file by another path: a folder linked to the output folder.
    await mkdir(join(h.dir, 'out'), { recursive: true });
    await symlink(join(h.dir, 'out'), join(h.dir, 'link'));
    const linked = { ...jobInput(h), outputPath: join(h.dir, 'link', 'a.mp4') };
    const { job: throughLink } = h.engine.createJob({ recipe: 'third', input: linked });
    const error = supersededBy(throughLink.id);
    expect(h.engine.store.getJob(stale.id)).toMatchObject({ status: 'cancelled', error });
    expect(events).toContainEqual({ type: 'job', jobId: stale.id, status: 'cancelled', error });
    const { job: newer, resumed } = h.engine.createJob({ recipe: 'other', input: jobInput(h) });
    expect(resumed).toBe(false);
    expect(h.engine.store.getJob(throughLink.id)).toMatchObject({
      status: 'cancelled',
      error: supersededBy(newer.id),
    });
    expect(h.engine.store.getJob(elsewhere.id)?.status).toBe('queued');
    expect((await h.engine.run(newer.id)).status).toBe('done');
    // Asked again with the first settings, the job cancelled is the one resumed.
    const { job: again, resumed: back } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    expect([again.id, back, again.status]).toEqual([stale.id, true, 'queued']);
    expect(h.engine.store.getJob(newer.id)?.status).toBe('done');
  });

  // Found by attacking the data folder: another process holding the database past the busy timeout
  // as a step ended (a long gc, a `sqlite3` shell in a transaction) failed the job after its work,
  // and left the step shown running.
  it('writes down a step that ends while another process holds the database past the busy timeout', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    // The busy timeout shortened to 1 s; another process takes the write lock as the last step runs,
    // and keeps it 6 s: past the timeout of every write the step's end makes, and of the runner's polls.
    h.database.sqlite.pragma('busy_timeout = 1000');
    h.behaviour.gates.final = new Promise((resolve) => {
      const hold = `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN IMMEDIATE');
        console.log('locked'); setTimeout(() => { db.exec('COMMIT'); db.close(); }, 6000);`;
      const holder = spawn(process.execPath, ['-e', hold, h.database.path], { cwd: process.cwd() });
      holder.stdout.once('data', resolve);
    });
    const ran = await h.engine.run(job.id);
    expect(ran.status).toBe('done');
    expect(h.engine.store.steps(job.id).map((step) => step.status)).toEqual(['done', 'done', 'done', 'done']);
  });

  // Found by attacking the Library: a prompt asking for a variable no job gives failed the job as its
  // input hash was computed, and left the step pending, with no error and no kind (exit 1, not 2).
  it('fails a step whose settings cannot be read, naming why on the step', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    h.behaviour.unreadable.notes = 'prompt "script.writer" v4 needs variables: nosuch';
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    expect((await h.engine.run(job.id)).status).toBe('failed');
    const notes = h.engine.store.steps(job.id).find((step) => step.stepKey === 'notes');
    expect(notes).toMatchObject({
      status: 'failed',
      errorKind: 'invalid-input',
      lastError: 'prompt "script.writer" v4 needs variables: nosuch',
    });
    expect(h.calls.notes ?? 0).toBe(0);
  });

  // Found by attacking the supersede: a job for the file still running when a newer one was asked for
  // ran on, and delivered the old script's video over the newer one's when it ended last.
  it('stops a running job for a file when a newer job is asked for the same file', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    h.addRecipe('other', DIAMOND);
    h.behaviour.hangKeys.add('final');
    const { job: older } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const running = h.engine.run(older.id);
    const deadline = Date.now() + 15_000;
    while ((h.calls.final ?? 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const { job: newer } = h.engine.createJob({ recipe: 'other', input: jobInput(h) });
    const error = `superseded by job ${newer.id}, which delivers to the same file`;
    expect(await running).toMatchObject({ status: 'cancelled', error });
    expect(existsSync(join(h.dir, 'out', 'a.mp4'))).toBe(false);
    h.behaviour.hangKeys.clear();
    expect((await h.engine.run(newer.id)).status).toBe('done');
    // One whose runner died before it heard stays stopped: the next start does not run it again.
    const { job: third } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h, 'b') });
    h.engine.store.setJobStatus(third.id, 'running', { owner: `${hostname()}:2147483646` });
    const { job: fourth } = h.engine.createJob({ recipe: 'other', input: jobInput(h, 'b') });
    await h.engine.repair();
    expect(h.engine.store.getJob(third.id)).toMatchObject({
      status: 'cancelled',
      error: `superseded by job ${fourth.id}, which delivers to the same file`,
    });
  });

  // Found by reading the supersede: a job superseded between its createJob and its run (another
  // `vfo render` of the same file) was made running again by the run, and both delivered.
  it('does not run a job superseded after it was chosen', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    h.addRecipe('other', DIAMOND);
    const { job: chosen } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const { job: newer } = h.engine.createJob({ recipe: 'other', input: jobInput(h) });
    const ran = await h.engine.run(chosen.id);
    expect(ran).toMatchObject({
      status: 'cancelled',
      error: `superseded by job ${newer.id}, which delivers to the same file`,
    });
    expect(h.calls.script ?? 0).toBe(0);
    expect((await h.engine.run(newer.id)).status).toBe('done');
  });

  // Found by reviewing the job's warnings: a parse reused from an earlier job gave the new job none of
  // the warnings that parse had given (a font's missing characters, a preset too short).
  it('gives a job the warnings of the successful run it reuses, not those of its failed attempts', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    h.behaviour.warnings.notes = 'the notes cannot show "🎉"';
    h.behaviour.failTimes.notes = 1;
    const first = await render();
    expect(first.warnings).toEqual(['the notes cannot show "🎉"']);
    const { job } = h.engine.createJob({
      recipe: 'diamond',
      input: { ...jobInput(h), outputPath: join(h.dir, 'again.mp4') },
    });
    const again = await h.engine.run(job.id);
    expect(h.calls.notes).toBe(2);
    const notes = h.engine.store.steps(again.id).find((s) => s.stepKey === 'notes');
    expect(notes?.reusedFrom).not.toBeNull();
    expect(again.warnings).toEqual(['the notes cannot show "🎉"']);
    // Said once, as the run it reuses said it once: its failed attempt's warning is not its result's.
    expect(notes?.logs.match(/ warning: /g)).toHaveLength(1);
  });

  // Found by reviewing the recipe checks: a job queued by a build whose steps this one does not have
  // stayed queued, and failed to start on every start of the app.
  it('fails a queued job whose recipe this build cannot run, naming why', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    h.database.db.$client
      .prepare(
        `UPDATE jobs SET snapshot = json_set(snapshot, '$.recipe.pipeline.steps[0].kind', 'gone') WHERE id = ?`,
      )
      .run(job.id);
    const ran = await h.engine.run(job.id);
    expect(ran).toMatchObject({
      status: 'failed',
      error: 'recipe "diamond" version 1: step "script" has unknown kind "gone"; fix it in the Library',
    });
    expect(h.calls).toEqual({});
  });

  it('starts independent ready steps together', async () => {
    h = await createHarness({ stepConcurrency: 2 });
    h.addRecipe('diamond', DIAMOND);
    h.behaviour.delayMs = 80;
    const running = new Set<string>();
    let maxTogether = 0;
    h.engine.subscribe((e: EngineEvent) => {
      if (e.type !== 'step') return;
      if (e.status === 'running') running.add(e.stepKey);
      else running.delete(e.stepKey);
      maxTogether = Math.max(maxTogether, running.size);
    });
    await render();
    expect(maxTogether).toBe(2);
  });

  it('skips every step of an unchanged job without calling any step, and re-runs only what a changed setting reaches', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const first = await render();
    expect(h.calls).toEqual({ script: 1, voice: 1, notes: 1, final: 1 });

    const second = await render();
    expect(second.id).not.toBe(first.id);
    expect(h.calls).toEqual({ script: 1, voice: 1, notes: 1, final: 1 });
    expect(h.engine.store.steps(second.id).every((s) => s.reusedFrom)).toBe(true);
    expect((second.manifest as { output: { sha256: string } }).output.sha256).toBe(
      (first.manifest as { output: { sha256: string } }).output.sha256,
    );

    h.setVoiceRate('+20%');
    const third = await render();
    expect(h.calls).toEqual({ script: 1, voice: 2, notes: 1, final: 2 });
    expect(await readFile(third.outputPath as string, 'utf8')).toContain('@+20%');
  });

  it('does not reuse a result whose file no longer has its checksum', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const first = await render();
    const notes = h.engine.store.jobArtifacts(first.id).find((a) => a.stepKey === 'notes');
    await writeFile(notes?.path as string, 'tampered');
    await render();
    expect(h.calls.notes).toBe(2);
    expect(h.calls.script).toBe(1);
  });

  it('retries a flaky step with backoff and succeeds', async () => {
    h = await createHarness({ maxAttempts: 3 });
    h.addRecipe('diamond', DIAMOND);
    h.behaviour.failTimes.notes = 2;
    const job = await render();
    expect(job.status).toBe('done');
    const notes = h.engine.store.steps(job.id).find((s) => s.stepKey === 'notes');
    expect(notes?.attempts).toBe(3);
    expect(notes?.logs).toContain('notes flaked');
  });

  it('gives up after the last attempt and never retries a do-not-retry error', async () => {
    h = await createHarness({ maxAttempts: 2 });
    h.addRecipe('diamond', DIAMOND);
    h.behaviour.failTimes.notes = 5;
    const flaky = await render('flaky');
    expect(flaky.status).toBe('failed');
    expect(h.engine.store.steps(flaky.id).find((s) => s.stepKey === 'notes')?.attempts).toBe(2);
    expect(h.engine.store.steps(flaky.id).find((s) => s.stepKey === 'final')?.status).toBe('pending');

    h.behaviour.fatal.add('voice');
    const fatal = await render('fatal');
    const voice = h.engine.store.steps(fatal.id).find((s) => s.stepKey === 'voice');
    expect(fatal.status).toBe('failed');
    expect(voice?.attempts).toBe(1);
    expect(voice?.errorKind).toBe('fatal');
    expect(fatal.error).toContain('voice cannot work');
  });

  // An operator's `vfo farm cancel` ended the origin's job "failed", counted as a failed render.
  it('ends a job cancelled, in the words given, when a step was cancelled by someone else', async () => {
    h = await createHarness({ maxAttempts: 3 });
    h.addRecipe('diamond', DIAMOND);
    h.behaviour.stopped.add('voice');
    const job = await render();
    expect(job).toMatchObject({ status: 'cancelled', error: 'voice was cancelled by an operator' });
    expect(h.calls.voice).toBe(1);
    const voice = h.engine.store.steps(job.id).find((s) => s.stepKey === 'voice');
    expect(voice).toMatchObject({ status: 'cancelled', attempts: 1 });
  });

  it('retries a failed job from where it stopped, and re-runs from a chosen step on request', async () => {
    h = await createHarness({ maxAttempts: 1 });
    h.addRecipe('diamond', DIAMOND);
    h.behaviour.fatal.add('final');
    const failed = await render();
    expect(failed.status).toBe('failed');
    h.behaviour.fatal.clear();
    h.engine.retry(failed.id);
    const retried = await h.engine.run(failed.id);
    expect(retried.status).toBe('done');
    expect(h.calls).toEqual({ script: 1, voice: 1, notes: 1, final: 2 });

    h.engine.retry(failed.id, 'voice');
    await h.engine.run(failed.id);
    expect(h.calls).toEqual({ script: 1, voice: 2, notes: 1, final: 3 });
    expect(() => h.engine.retry(failed.id, 'nope')).toThrow(/no step "nope"/);
  });

  it('resumes a job whose finished step’s file was damaged by making it again, and what came after it', async () => {
    h = await createHarness({ maxAttempts: 1 });
    h.addRecipe('diamond', DIAMOND);
    h.behaviour.fatal.add('final');
    const failed = await render();
    expect(failed.status).toBe('failed');
    // A crash left the voice's blob damaged (or a disk did), its row still "done".
    const voice = h.engine.store.jobArtifacts(failed.id).find((a) => a.stepKey === 'voice');
    await writeFile(voice?.path as string, 'half a narration');
    h.behaviour.fatal.clear();
    h.engine.retry(failed.id);
    const resumed = await h.engine.run(failed.id);
    expect(resumed.status).toBe('done');
    expect(h.calls).toEqual({ script: 1, voice: 2, notes: 1, final: 2 });
    expect(await readFile(resumed.outputPath as string, 'utf8')).toBe(
      'final(voice(script:a)@default)(notes(script:a))',
    );
  });

  it('cancels a running job, through the database as another process would', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    h.behaviour.hangKeys.add('voice');
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const running = h.engine.run(job.id);
    // Cancelled once the hanging step runs (a fixed wait raced a loaded machine, where it had not begun).
    await expect
      .poll(() => h.engine.store.steps(job.id).find((s) => s.stepKey === 'voice')?.status, {
        timeout: 10_000,
      })
      .toBe('running');
    h.engine.store.requestCancel(job.id);
    const cancelled = await running;
    expect(cancelled.status).toBe('cancelled');
    expect(h.engine.store.steps(job.id).find((s) => s.stepKey === 'voice')?.status).toBe('cancelled');
    expect(h.calls.final).toBeUndefined();
  });

  it('repairs a job left running by a dead process and resumes it from its last good step', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    h.behaviour.fatal.add('final');
    await h.engine.run(job.id);
    // Make it look like a crash mid-step: a dead owner, a step still 'running'.
    const final = h.engine.store.steps(job.id).find((s) => s.stepKey === 'final');
    h.engine.store.updateStep(final?.id as string, { status: 'running' });
    const { hostname } = await import('node:os');
    h.engine.store.setJobStatus(job.id, 'running', { owner: `${hostname()}:2147483646` });

    const report = await h.engine.repair();
    expect(report.jobs).toEqual([job.id]);
    expect(h.engine.store.steps(job.id).some((s) => s.status === 'running')).toBe(false);
    expect(h.engine.store.getJob(job.id)?.status).toBe('queued');

    h.behaviour.fatal.clear();
    const { job: again, resumed } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    expect(resumed).toBe(true);
    expect(again.id).toBe(job.id);
    expect((await h.engine.run(job.id)).status).toBe('done');
    expect(h.calls).toEqual({ script: 1, voice: 1, notes: 1, final: 2 });
  });

  it('leaves a job owned by a live process, or by another machine, alone', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const { hostname } = await import('node:os');
    h.engine.store.setJobStatus(job.id, 'running', { owner: `${hostname()}:${process.pid}` });
    expect((await h.engine.repair()).jobs).toEqual([]);
    h.engine.store.setJobStatus(job.id, 'running', { owner: 'another-mac.local:1' });
    expect((await h.engine.repair()).jobs).toEqual([]);
  });

  it('runs a job only when no other live process runs it, and touches nothing of one that does', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const { hostname } = await import('node:os');
    // Another `vfo render` of the same script, alive: this test's parent process stands in for it.
    const other = `${hostname()}:${process.ppid}`;
    h.engine.store.setJobStatus(job.id, 'running', { owner: other });
    const folder = join(h.engine.workRoot, job.id);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'in-use'), 'the other process is writing this');
    await expect(h.engine.run(job.id)).rejects.toThrow(
      `job ${job.id.slice(0, 8)} is being run by another process (${other})`,
    );
    expect(h.engine.store.getJob(job.id)).toMatchObject({ status: 'running', owner: other });
    expect(h.calls).toEqual({});
    expect(existsSync(join(folder, 'in-use'))).toBe(true);
    // Once that process is gone, the job is this one's to run.
    h.engine.store.setJobStatus(job.id, 'running', { owner: `${hostname()}:2147483646` });
    expect((await h.engine.run(job.id)).status).toBe('done');
  });

  it('repairs no job another process took up after the repair listed it', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const { hostname } = await import('node:os');
    h.engine.store.setJobStatus(job.id, 'running', { owner: `${hostname()}:2147483646` });
    const folder = join(h.engine.workRoot, job.id);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'in-use'), 'the resuming process is writing this');
    // A `vfo render` resumes the crashed job right after this process's repair read the list.
    const resumer = `${hostname()}:${process.ppid}`;
    const store = h.engine.store;
    const listed = store.runningJobs.bind(store);
    vi.spyOn(store, 'runningJobs').mockImplementation(() => {
      const rows = listed();
      store.setJobStatus(job.id, 'running', { owner: resumer });
      return rows;
    });
    expect((await h.engine.repair()).jobs).toEqual([]);
    expect(store.getJob(job.id)).toMatchObject({ status: 'running', owner: resumer });
    expect(existsSync(join(folder, 'in-use'))).toBe(true);
  });

  it('ends done, with no cancel left standing, when the cancel comes while the video is delivered', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const blobs = h.engine.blobs;
    const deliver = blobs.deliver.bind(blobs);
    vi.spyOn(blobs, 'deliver').mockImplementation(async (...args) => {
      h.engine.store.requestCancel(job.id);
      return deliver(...args);
    });
    expect((await h.engine.run(job.id)).status).toBe('done');
    expect(blobs.deliver).toHaveBeenCalled();
    expect(h.engine.store.isCancelRequested(job.id)).toBe(false);
  });

  it('repairing a crashed job removes its half-written outputs, not one a live process writes', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const { hostname } = await import('node:os');
    h.engine.store.setJobStatus(job.id, 'running', { owner: `${hostname()}:2147483646` });
    const out = join(h.dir, 'out');
    await mkdir(out, { recursive: true });
    const crashed = join(out, 'a.mp4.partial-2147483646-0a0b0c0d');
    const unnamed = join(out, 'a.mp4.partial-');
    // Its thumbnail's, written beside the video (found by attacking the engine: it stayed for good).
    const thumbnail = join(out, 'a.jpg.partial-2147483646-0a0b0c0e');
    // Another job of the same output path, delivering now in a live process (this test's parent).
    const live = join(out, `a.mp4.partial-${process.ppid}-0e0f0a0b`);
    for (const path of [crashed, unnamed, thumbnail, live]) await writeFile(path, 'half');
    // Its attempt's scratch folder goes; what a step keeps across attempts (paid-for chunks) stays.
    const jobDir = join(h.dir, 'data', 'work', job.id);
    await mkdir(join(jobDir, 'final-1'), { recursive: true });
    await mkdir(join(jobDir, 'final-kept'), { recursive: true });
    await writeFile(join(jobDir, 'final-kept', 'chunk.wav'), 'paid for');
    expect((await h.engine.repair()).partialFiles).toBe(3);
    expect([
      existsSync(join(jobDir, 'final-1')),
      existsSync(join(jobDir, 'final-kept', 'chunk.wav')),
    ]).toEqual([false, true]);
    expect([crashed, unnamed, thumbnail, live].map((path) => existsSync(path))).toEqual([
      false,
      false,
      false,
      true,
    ]);
  });

  it('takes over a running job whose runner went silent, whatever its owner looks like', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    // The Mac that ran it has another name now (or a reboot gave its pid to another process).
    const silent = () =>
      h.database.sqlite
        .prepare("UPDATE jobs SET status = 'running', owner = ?, updated_at = ? WHERE id = ?")
        .run('Old-MacBook.local:4242', new Date(Date.now() - JOB_SILENT_MS - 1000).toISOString(), job.id);
    silent();
    expect((await h.engine.repair()).jobs).toEqual([job.id]);
    silent();
    expect((await h.engine.run(job.id)).status).toBe('done');
  });

  // Found by attacking the engine: a render stopped for a minute (kill -STOP) had its job repaired as
  // interrupted by the next command, and then both processes ran it.
  it('keeps a silent job while its process is the one that was last heard from', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const silentSince = new Date(Date.now() - JOB_SILENT_MS - 1000).toISOString();
    const runBy = (pid: number) =>
      h.database.sqlite
        .prepare("UPDATE jobs SET status = 'running', owner = ?, updated_at = ? WHERE id = ?")
        .run(`${hostname()}:${pid}`, silentSince, job.id);
    // Process 1 ran long before it was last heard from: it is the runner, stopped.
    runBy(1);
    expect((await h.engine.repair()).jobs).toEqual([]);
    expect(h.engine.store.getJob(job.id)).toMatchObject({ status: 'running', owner: `${hostname()}:1` });
    // A process that started after the last heartbeat only has the runner's old pid.
    const newcomer = spawn('sleep', ['30']);
    try {
      runBy(newcomer.pid as number);
      expect((await h.engine.repair()).jobs).toEqual([job.id]);
    } finally {
      newcomer.kill();
    }
  });

  it('stops a run whose job another process took over, and writes nothing more', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    h.behaviour.hangKeys.add('final');
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const running = h.engine.run(job.id);
    const deadline = Date.now() + 15_000;
    while ((h.calls.final ?? 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    h.database.sqlite.prepare("UPDATE jobs SET owner = 'another-process.local:1' WHERE id = ?").run(job.id);
    const stepOf = () => h.engine.store.steps(job.id).find((step) => step.stepKey === 'final');
    const before = stepOf();
    const ended = await running;
    expect(ended).toMatchObject({ status: 'running', owner: 'another-process.local:1', error: null });
    // Nor its steps' (found by a review of the fix: the stopped step was written cancelled, its log
    // grew, over what the new owner was doing).
    const after = stepOf();
    expect([after?.status, after?.lastError, after?.logs]).toEqual([
      before?.status,
      before?.lastError,
      before?.logs,
    ]);
  });

  it('keeps a running job its own by its heartbeat: another process’s claim is refused', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    h.behaviour.hangKeys.add('final');
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const running = h.engine.run(job.id);
    const heard = () => Date.parse(h.engine.store.getJob(job.id)?.updatedAt ?? '');
    const deadline = Date.now() + 15_000;
    while ((h.calls.final ?? 0) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const first = heard();
    while (heard() === first && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(heard()).toBeGreaterThan(first);
    // Judged a minute of heartbeats from now, it is still heard from: a second render is refused.
    expect(h.engine.store.claimJob(job.id, 'another-process.local:1', (row) => isRunnerAlive(row))).toEqual({
      owner: ownerId(),
    });
    h.engine.cancel(job.id);
    expect((await running).status).toBe('cancelled');
  });

  it('gives a crashed job back even when cleaning up after it fails', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const { hostname } = await import('node:os');
    h.engine.store.setJobStatus(job.id, 'running', { owner: `${hostname()}:2147483646` });
    // A folder where a half-written file would be: it cannot be removed as a file.
    await mkdir(join(h.dir, 'out', 'a.mp4.partial-2147483646-0a0b0c0d', 'inside'), { recursive: true });
    expect((await h.engine.repair()).jobs).toEqual([job.id]);
    expect(h.engine.store.getJob(job.id)).toMatchObject({ status: 'queued', owner: null });
  });

  it('neither retries nor cancels as queued a job another process started after it was read', async () => {
    h = await createHarness();
    h.addRecipe('diamond', DIAMOND);
    const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
    const store = h.engine.store;
    const other = `${hostname()}:${process.ppid}`;
    /** The next read of the job is followed at once by another process starting it. */
    const startedAfterRead = (status: 'failed' | 'queued') => {
      store.setJobStatus(job.id, status, { owner: null });
      const read = store.getJob.bind(store);
      let first = true;
      vi.spyOn(store, 'getJob').mockImplementation((id) => {
        const row = read(id);
        if (first) store.setJobStatus(id, 'running', { owner: other });
        first = false;
        return row;
      });
    };
    startedAfterRead('failed');
    expect(() => h.engine.retry(job.id)).toThrow('is running; cancel it first');
    expect(store.getJob(job.id)).toMatchObject({ status: 'running', owner: other });
    vi.restoreAllMocks();
    startedAfterRead('queued');
    h.engine.cancel(job.id);
    expect(store.getJob(job.id)).toMatchObject({ status: 'running', owner: other });
    expect(store.isCancelRequested(job.id)).toBe(true);
  });
});

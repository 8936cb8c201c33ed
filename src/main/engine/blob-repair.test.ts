import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { rotByte } from '../../../test/support/bit-rot.ts';
import { sha256File } from '../util/hash.ts';
import { createHarness, DIAMOND, type Harness, jobInput } from './engine.fixture.ts';

let h: Harness;
afterEach(async () => h?.close());

/** A finished diamond job (script → voice, notes → final) and the stored blob of each of its steps. */
async function finishedJob() {
  h = await createHarness();
  h.addRecipe('diamond', DIAMOND);
  const { job } = h.engine.createJob({ recipe: 'diamond', input: jobInput(h) });
  const done = await h.engine.run(job.id);
  expect(done.status).toBe('done');
  const blobOf = (step: string) => {
    const artifact = h.engine.store.jobArtifacts(job.id).find((a) => a.stepKey === step);
    if (!artifact) throw new Error(`no artifact of ${step}`);
    return { sha256: artifact.sha256, path: artifact.path };
  };
  return { jobId: job.id, blobOf };
}

const stepRecords = (jobId: string) =>
  h.engine.store.steps(jobId).map((s) => ({ key: s.stepKey, status: s.status, attempts: s.attempts }));

describe('repairing a damaged blob', () => {
  it('runs again only the step that made it, restores the same bytes, and leaves the job as it was', async () => {
    const { jobId, blobOf } = await finishedJob();
    const notes = blobOf('notes');
    const good = await readFile(notes.path);
    const records = stepRecords(jobId);
    await rotByte(notes.path);
    expect(await h.engine.blobs.recheck(notes.sha256)).toBe(false);

    const outcome = await h.engine.repairBlob(notes.sha256);
    expect(outcome).toEqual({ ok: true, by: { jobId, stepKey: 'notes' } });
    expect(await readFile(notes.path)).toEqual(good);
    expect((await sha256File(notes.path)).sha256).toBe(notes.sha256);
    expect(h.calls).toEqual({ script: 1, voice: 1, notes: 2, final: 1 });
    expect(stepRecords(jobId)).toEqual(records);
    expect(await h.engine.blobs.verify(notes.path, notes.sha256)).toBe(true);
  });

  it('is not disturbed by vfo gc meanwhile (the job is done: gc removes a done job’s folder)', async () => {
    const { jobId, blobOf } = await finishedJob();
    const notes = blobOf('notes');
    await rotByte(notes.path);
    h.behaviour.delayMs = 300;
    const repairing = h.engine.repairBlob(notes.sha256);
    await new Promise((r) => setTimeout(r, 100));
    await h.engine.collectGarbage();
    expect(await repairing).toEqual({ ok: true, by: { jobId, stepKey: 'notes' } });
    expect((await sha256File(notes.path)).sha256).toBe(notes.sha256);
  });

  it('repairs a damaged input of that step first', async () => {
    const { blobOf } = await finishedJob();
    const [script, notes] = [blobOf('script'), blobOf('notes')];
    await rotByte(script.path);
    await rotByte(notes.path);

    const outcome = await h.engine.repairBlob(notes.sha256);
    expect(outcome.ok).toBe(true);
    for (const blob of [script, notes]) expect((await sha256File(blob.path)).sha256).toBe(blob.sha256);
    expect(h.calls).toEqual({ script: 2, voice: 1, notes: 2, final: 1 });
  });

  it('says which job to re-run from which step when the step now makes other bytes, and keeps them out', async () => {
    const { jobId, blobOf } = await finishedJob();
    const notes = blobOf('notes');
    await rotByte(notes.path);
    const damaged = await readFile(notes.path);
    h.behaviour.extra.notes = ' (from a source file that changed since)';

    const outcome = await h.engine.repairBlob(notes.sha256);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.reason).toContain(`step "notes" of job ${jobId} made different content when run again`);
    expect(outcome.reason).toContain(`vfo jobs retry ${jobId} --from notes`);
    // The other content is not stored under this name: the damaged file is still what is there.
    expect(await readFile(notes.path)).toEqual(damaged);
    expect(h.calls.notes).toBe(2);
  });

  it('does nothing to a blob that verifies, and cannot make one that no step made', async () => {
    const { blobOf } = await finishedJob();
    expect(await h.engine.repairBlob(blobOf('voice').sha256)).toEqual({ ok: true, by: null });
    expect(h.calls).toEqual({ script: 1, voice: 1, notes: 1, final: 1 });
    const unknown = 'ab'.repeat(32);
    const outcome = await h.engine.repairBlob(unknown);
    expect(outcome).toEqual({
      ok: false,
      reason: `no step of any job made blob ${unknown}, so nothing can make it again`,
    });
  });
});

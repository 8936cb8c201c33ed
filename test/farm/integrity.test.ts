/**
 * Damaged files on a farm of two real `vfo node` processes on loopback (the origin, which also
 * coordinates, with its own worker paused, and a worker-only node that does every encode): a picture
 * that rots in the worker's cache between two renders, and a blob that rots in the origin's store
 * before a worker fetches it. Each time the farm still delivers the video the plan describes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../src/main/engine/blob-store.ts';
import { sha256File } from '../../src/main/util/hash.ts';
import type { AssetRef } from '../../src/shared/render-plan.ts';
import { rotByte } from '../support/bit-rot.ts';
import { tempDir } from '../support/vfo.ts';
import {
  deliveredBy,
  expectOneVideoAtOrigin,
  expectPreviewVideo,
  type FarmKeyFile,
  logEvents,
  longScript,
  makeFarmKey,
  type NodeProcess,
  peerOf,
  readDb,
  startNode,
  stopFarm,
  submitScript,
  until,
  waitForJobs,
} from './farm-support.ts';
import { expectSameAsWhole, farmReady, planOfJob } from './segment-support.ts';

/** A job takes ~10 s here; without the repairs it never ends (its only worker is barred after 2 failures). */
const JOB_MS = 100_000;

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let origin: NodeProcess;
let worker: NodeProcess;

const workerMode = (node: NodeProcess, action: 'pause' | 'resume') =>
  key.client.json(peerOf(node), 'POST', `/farm/v1/worker/${action}`);

beforeAll(async () => {
  dir = await tempDir('vfo-integrity-');
  key = await makeFarmKey(dir.path);
  [origin, worker] = await Promise.all([
    startNode({ root: dir.path, name: 'origin', key }),
    startNode({ root: dir.path, name: 'worker', key, role: 'worker' }),
  ]);
  await farmReady(key, [origin, worker]);
  await workerMode(origin, 'pause');
});

afterAll(() => stopFarm(dir, key));

/** Renders a script submitted to the origin; the job is done and its one video came from `worker`. */
async function render(name: string): Promise<string> {
  const jobId = await submitScript(key, origin, `${name}.md`, longScript(name, 3));
  return finished(jobId);
}

async function finished(jobId: string): Promise<string> {
  const [job] = await waitForJobs(key, origin, [jobId], JOB_MS);
  expect(job?.status, job?.error ?? '').toBe('done');
  if (!job) throw new Error('no job');
  await expectPreviewVideo(job.output as string);
  const taskId = expectOneVideoAtOrigin(origin, job);
  expect(deliveredBy([origin, worker], origin, taskId).name).toBe('worker');
  return jobId;
}

function firstImage(jobId: string): AssetRef {
  const image = Object.values(planOfJob(origin, jobId).assets).find((a) => a.kind === 'image');
  if (!image) throw new Error(`the plan of job ${jobId} has no picture`);
  return image;
}

describe('a farm with damaged files', { timeout: 2 * JOB_MS + 20_000 }, () => {
  it('re-fetches a picture that rotted in the worker cache, encodes again, and still delivers the exact video', async () => {
    const first = await render('first');
    const picture = firstImage(first);
    const cached = join(worker.dataDir, 'farm', 'cache', picture.sha256.slice(0, 2), picture.sha256);
    expect(existsSync(cached)).toBe(true);
    // Inode, size and mtime unchanged: the worker, still running, has no reason to hash it again.
    await rotByte(cached);

    const second = await render('second');
    expect(firstImage(second).sha256).toBe(picture.sha256);
    await expectSameAsWhole(origin, second, dir.path);
    const retries = logEvents(
      worker,
      'inputs of a failed encode no longer verified; fetched them again, encoding again',
    );
    expect(retries.map((e) => e.blobs)).toEqual([[picture.sha256]]);
    expect((await sha256File(cached)).sha256).toBe(picture.sha256);
  });

  it('withholds a blob that rotted in the origin store, makes it again with its step, and still delivers the exact video', async () => {
    await workerMode(worker, 'pause');
    const jobId = await submitScript(key, origin, 'third.md', longScript('third', 3));
    // The plan is made and its task waits in the queue: no worker has fetched anything yet.
    await until(
      () =>
        readDb<{ n: number }>(
          origin.dataDir,
          'SELECT count(*) AS n FROM farm_origin_tasks WHERE job_id = ?',
          jobId,
        )[0]?.n === 1,
      JOB_MS,
      'the encode of the third job to reach the farm',
    );
    const plan = planOfJob(origin, jobId);
    const captions = plan.captions ? plan.assets[plan.captions.asset] : undefined;
    if (!captions) throw new Error('the plan has no captions');
    const stored = new BlobStore(origin.dataDir).pathFor(captions.sha256);
    await rotByte(stored);
    await workerMode(worker, 'resume');

    await finished(jobId);
    await expectSameAsWhole(origin, jobId, dir.path);
    expect((await sha256File(stored)).sha256).toBe(captions.sha256);
    const withheld = logEvents(
      origin,
      'a blob did not match its checksum as it was served; withheld until it is repaired',
    );
    expect(withheld.map((e) => e.sha256)).toEqual([captions.sha256]);
    expect(logEvents(origin, 'blob repaired')).toEqual([
      { sha256: captions.sha256, job: jobId, step: 'captions' },
    ]);
  });
});

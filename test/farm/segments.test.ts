/**
 * Acceptance of the segmented encode on real `vfo node` processes: one video split at scene
 * boundaries across three loopback nodes comes back joined, and equals the whole encode of the same
 * plan in frame count (exactly), duration (to a frame) and A/V sync (to a frame).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFrameCount } from '../../src/shared/plan-frames.ts';
import { tempDir } from '../support/vfo.ts';
import {
  deliveredBy,
  type FarmKeyFile,
  logEvents,
  makeFarmKey,
  type NodeProcess,
  startNodes,
  stopFarm,
  submitScript,
  waitForJobs,
} from './farm-support.ts';
import { expectSameAsWhole, farmReady, multiSceneScript, planOfJob } from './segment-support.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let nodes: NodeProcess[] = [];

beforeAll(async () => {
  dir = await tempDir('vfo-segments-');
  key = await makeFarmKey(dir.path);
  const extraArgs = ['--min-segment-seconds', '2'];
  nodes = await startNodes(dir.path, key, ['sierra', 'tango', 'victor'], { extraArgs });
  await farmReady(key, nodes);
});

afterAll(() => stopFarm(dir, key));

describe('a long video on a farm of three nodes', () => {
  it('is split into even segments, encoded on several workers, joined, and equals the whole encode', async () => {
    const origin = nodes[0] as NodeProcess;
    const jobId = await submitScript(key, origin, 'long.md', multiSceneScript('split', 6));
    const [job] = await waitForJobs(key, origin, [jobId], 150_000);
    expect(job?.status, job?.error ?? '').toBe('done');

    // Three free slots, six scenes, two-second minimum: three segments, each leased and delivered once.
    const [split] = logEvents(origin, 'video split into segments').filter((e) => e.job === jobId);
    const segments = (split?.segments ?? []) as { task: string; scenes: number[]; frames: number }[];
    expect(segments).toHaveLength(3);
    // Together they are every frame of the video, and every one of its six scenes.
    expect(segments.reduce((sum, s) => sum + s.frames, 0)).toBe(planFrameCount(planOfJob(origin, jobId)));
    expect(new Set(segments.flatMap((s) => s.scenes))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    const workers = new Set(segments.map((s) => deliveredBy(nodes, origin, s.task).name));
    expect(workers.size, `segments were encoded by ${[...workers].join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(logEvents(origin, 'segments joined')).toHaveLength(1);

    const { video } = await expectSameAsWhole(origin, jobId, dir.path);
    expect(video.metadata).toMatchObject({ farm: true, segments: 3 });
  });
});

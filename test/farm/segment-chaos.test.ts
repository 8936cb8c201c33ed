/**
 * Chaos for the segmented encode, on real `vfo node` processes: a worker killed with -9 while it
 * encodes a segment costs exactly that segment — it is leased again and encoded elsewhere, every other
 * segment is encoded once — and the joined video is still exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/vfo.ts';
import {
  deliveredBy,
  type FarmKeyFile,
  ffmpegOf,
  logEvents,
  makeFarmKey,
  type NodeProcess,
  startNodes,
  statusOf,
  stopFarm,
  submitScript,
  until,
  waitForJobs,
} from './farm-support.ts';
import { expectSameAsWhole, farmReady, multiSceneScript } from './segment-support.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let nodes: NodeProcess[] = [];

beforeAll(async () => {
  dir = await tempDir('vfo-segment-chaos-');
  key = await makeFarmKey(dir.path);
  // One encoder thread each: segments take long enough to be caught mid-encode.
  const extraArgs = ['--min-segment-seconds', '2', '--threads', '1'];
  nodes = await startNodes(dir.path, key, ['kilo', 'lima', 'mike'], { extraArgs });
  await farmReady(key, nodes);
});

afterAll(() => stopFarm(dir, key));

describe('a segmented encode under failure', () => {
  it('redoes only the segment of a worker killed with -9, and the video is still exact', async () => {
    const coordinatorId = (await statusOf(key, nodes[0] as NodeProcess)).coordinator?.id;
    const coordinator = nodes.find((n) => n.id === coordinatorId);
    if (!coordinator) throw new Error(`no node is the coordinator ${coordinatorId}`);
    const [origin, victim] = nodes.filter((n) => n !== coordinator) as [NodeProcess, NodeProcess];

    const jobId = await submitScript(key, origin, 'chaos.md', multiSceneScript('chaos', 9));
    const segments = await until(
      () => {
        const [split] = logEvents(origin, 'video split into segments').filter((e) => e.job === jobId);
        return (split?.segments as { task: string }[] | undefined)?.map((s) => s.task);
      },
      60_000,
      'the video to be split',
    );
    expect(segments).toHaveLength(3);

    // The victim is encoding one of them: the coordinator leased it a segment and its ffmpeg runs.
    const held = await until(
      () => {
        const lease = logEvents(coordinator, 'task leased').find(
          (e) => e.worker === victim.id && segments.includes(e.task as string),
        );
        return lease && ffmpegOf(victim).length > 0 ? (lease as { task: string; lease: string }) : undefined;
      },
      60_000,
      `${victim.name} to be encoding a segment`,
      50,
    );
    victim.signal('SIGKILL');
    await until(() => ffmpegOf(victim).length === 0, 10_000, `${victim.name}'s ffmpeg to end`);

    const [job] = await waitForJobs(key, origin, [jobId], 180_000);
    expect(job?.status, job?.error ?? '').toBe('done');

    // Only the victim's segment was leased twice; its lease expired; another node delivered it.
    const grants = (task: string) => logEvents(coordinator, 'task leased').filter((e) => e.task === task);
    for (const task of segments)
      expect(grants(task), `grants of ${task}`).toHaveLength(task === held.task ? 2 : 1);
    expect(logEvents(coordinator, 'lease expired; task requeued')).toEqual([
      expect.objectContaining({ lease: held.lease, task: held.task, worker: victim.id }),
    ]);
    expect(deliveredBy(nodes, origin, held.task).name).not.toBe(victim.name);
    for (const task of segments) deliveredBy(nodes, origin, task);

    // Still exact: the same frames, duration and sync as the whole encode of the plan.
    const { video } = await expectSameAsWhole(origin, jobId, dir.path);
    expect(video.metadata).toMatchObject({ segments: 3 });
  }, 300_000);
});

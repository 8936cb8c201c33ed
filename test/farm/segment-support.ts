/**
 * Helpers of the segmented-encode acceptance tests: a script with many scenes, facts read from the
 * origin's database, and the whole (unsplit) encode of the same plan to compare with.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { BlobStore } from '../../src/main/engine/blob-store.ts';
import { linkPlanAssets, runEncode } from '../../src/main/ffmpeg/index.ts';
import { planFrameCount } from '../../src/shared/plan-frames.ts';
import type { RenderPlan } from '../../src/shared/render-plan.ts';
import { probeMedia } from '../support/media.ts';
import { type FarmKeyFile, type NodeProcess, readDb, statusOf, until } from './farm-support.ts';

const run = promisify(execFile);

/** A script of `scenes` scenes of one sentence each (espeak-ng: ~3 s a scene), unique by `tag`. */
export function multiSceneScript(tag: string, scenes: number): string {
  const sentences = [
    'The studio sends one long video to every Mac at once.',
    'Each worker encodes the scenes it was given and nothing else.',
    'Cuts fall between scenes, where no picture depends on another.',
    'The origin checks every segment before it joins them.',
    'Packets are copied, so the join takes seconds, not minutes.',
    'The narration is mixed once over the whole picture.',
    'Captions are drawn where they belong in the whole video.',
    'A segment lost with its Mac is encoded again somewhere else.',
    'Nothing else is redone when one worker disappears.',
  ];
  return [
    '---',
    `title: Segments ${tag}`,
    '---',
    '',
    ...Array.from({ length: scenes }, (_, i) => [
      `# Scene ${i + 1}`,
      '',
      `${sentences[i % sentences.length]} Part ${tag} ${i + 1}.`,
      '',
    ]).flat(),
  ].join('\n');
}

/** Every node sees every other online, they agree on a coordinator, and all have a free slot. */
export async function farmReady(key: FarmKeyFile, nodes: NodeProcess[]): Promise<void> {
  await until(
    async () => {
      const all = await Promise.all(nodes.map((n) => statusOf(key, n)));
      const first = all[0]?.coordinator;
      // The coordinator itself says so (not only its followers): the election is over.
      const elected = all.find((s) => s.self === first?.id)?.nodes.find((n) => n.id === first?.id);
      return Boolean(
        first &&
          elected?.role === 'coordinator' &&
          all.every((s) => s.coordinator?.id === first.id && s.coordinator.term === first.term) &&
          all.every((s) => nodes.every((n) => s.nodes.some((p) => p.id === n.id && p.status === 'online'))),
      );
    },
    30_000,
    'the farm to form',
  );
}

/** Where a job was made: a node's data folder, or `vfo render`'s. */
type DataFolder = Pick<NodeProcess, 'dataDir'>;

interface ArtifactRow {
  path: string;
  metadata: string;
}

export function videoArtifactOf(origin: DataFolder, jobId: string): { path: string; metadata: unknown } {
  const rows = readDb<ArtifactRow>(
    origin.dataDir,
    // The encode step's video (a plan step's clip is a video too).
    "SELECT path, metadata FROM artifacts WHERE job_id = ? AND type = 'video' AND name = 'video'",
    jobId,
  );
  if (rows.length !== 1) throw new Error(`job ${jobId} has ${rows.length} videos`);
  const row = rows[0] as ArtifactRow;
  return { path: row.path, metadata: JSON.parse(row.metadata) };
}

/** The RenderPlan the job made (the plan step's artifact). */
export function planOfJob(origin: DataFolder, jobId: string): RenderPlan {
  const [row] = readDb<{ path: string }>(
    origin.dataDir,
    "SELECT path FROM artifacts WHERE job_id = ? AND type = 'plan'",
    jobId,
  );
  if (!row) throw new Error(`job ${jobId} has no plan`);
  return JSON.parse(readFileSync(row.path, 'utf8')) as RenderPlan;
}

/** The same plan encoded whole on this machine, from the origin's blobs. */
export async function encodeWhole(origin: DataFolder, plan: RenderPlan, root: string): Promise<string> {
  const blobs = new BlobStore(origin.dataDir);
  const work = await mkdtemp(join(root, 'whole-'));
  const { assetPaths, fontsDir } = await linkPlanAssets(plan, (sha) => blobs.pathFor(sha), work);
  const result = await runEncode({
    ffmpegPath: '/usr/bin/ffmpeg',
    ffprobePath: '/usr/bin/ffprobe',
    plan,
    assetPaths,
    outPath: join(work, 'whole.mp4'),
    encoder: 'libx264',
    fontsDir,
  });
  return result.outPath;
}

/**
 * The lowest per-frame PSNR (dB) between two videos of the same size and frame count: two encodes of
 * the same pictures stay well above 30 dB; a frame showing another picture (a segment out of place,
 * a caption at the wrong time) falls far below.
 */
export async function lowestPsnr(a: string, b: string): Promise<number> {
  const { stderr } = await run('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-i', a, '-i', b],
    ...['-lavfi', '[0:v][1:v]psnr', '-f', 'null', '-'],
  ]);
  const min = /PSNR .*min:(\S+)/.exec(stderr)?.[1];
  if (!min) throw new Error(`no PSNR in ffmpeg's output: ${stderr.slice(-500)}`);
  return min === 'inf' ? Number.POSITIVE_INFINITY : Number(min);
}

/**
 * The job's joined video equals the whole encode of its plan: exactly the plan's frames, duration
 * within one frame, audio and video within one frame, and the same pictures frame for frame (lowest
 * PSNR above 35 dB: ~45 for two lossy encodes of the same frames, under 10 for a frame out of place).
 */
export async function expectSameAsWhole(
  origin: DataFolder,
  jobId: string,
  root: string,
): Promise<{ video: { path: string; metadata: unknown }; plan: RenderPlan }> {
  const video = videoArtifactOf(origin, jobId);
  const plan = planOfJob(origin, jobId);
  const wholePath = await encodeWhole(origin, plan, root);
  const [joined, whole] = await Promise.all([probeMedia(video.path), probeMedia(wholePath)]);
  const frame = 1 / plan.output.fps;
  expect(joined.videoFrames).toBe(planFrameCount(plan));
  expect(joined.videoFrames).toBe(whole.videoFrames);
  expect(Math.abs(joined.videoSeconds - whole.videoSeconds)).toBeLessThanOrEqual(frame);
  expect(Math.abs(joined.audioSeconds - joined.videoSeconds)).toBeLessThanOrEqual(frame);
  expect(Math.abs(whole.audioSeconds - whole.videoSeconds)).toBeLessThanOrEqual(frame);
  expect({ width: joined.width, height: joined.height }).toEqual({
    width: plan.output.width,
    height: plan.output.height,
  });
  expect(await lowestPsnr(video.path, wholePath)).toBeGreaterThan(35);
  return { video, plan };
}

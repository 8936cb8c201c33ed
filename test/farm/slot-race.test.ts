/**
 * A worker's slot is free when the worker says so, not when its origin confirms the result. Here the
 * origin is a FarmServer in this process (signed like a real one) that serves the plan's blobs and,
 * once a video is uploaded, completes the lease at the coordinator and then answers the worker a
 * little late (a slow origin, or a slow network). The real `vfo node` (coordinator and only worker,
 * one slot) must not push the next task to its busy worker meanwhile: a healthy farm loses no attempt.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFarmServer,
  type FarmServer,
  FarmTrust,
  farmKeyFromText,
} from '../../src/main/farm/net/index.ts';
import { errorBody, receiveToFile } from '../../src/main/http/index.ts';
import { sha256File } from '../../src/main/util/hash.ts';
import type { RenderPlan } from '../../src/shared/render-plan.ts';
import { tempDir } from '../support/vfo.ts';
import {
  type FarmKeyFile,
  logEvents,
  makeFarmKey,
  type NodeProcess,
  peerOf,
  readDb,
  sleep,
  startNode,
  statusOf,
  stopFarm,
  until,
} from './farm-support.ts';

const run = promisify(execFile);
/** How late the origin answers the worker after the coordinator accepted the result. */
const REPLY_DELAY_MS = 1500;

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let node: NodeProcess;
let origin: FarmServer;
let originUrl = '';
const assets: Record<string, { path: string; sha256: string; size: number }> = {};
const completed: { task: string; lease: string; result: string }[] = [];

beforeAll(async () => {
  dir = await tempDir('vfo-slot-race-');
  key = await makeFarmKey(dir.path);
  const still = join(dir.path, 'still.png');
  const narration = join(dir.path, 'narration.wav');
  await run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=0x204060:s=640x360',
    '-frames:v',
    '1',
    still,
  ]);
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', narration]);
  for (const [id, path] of Object.entries({ still, narration }))
    assets[id] = { path, ...(await sha256File(path)) };
  const byHash = new Map(Object.values(assets).map((a) => [a.sha256, a.path]));

  // The test is the origin: it serves as the same identity that submits the tasks.
  origin = await createFarmServer({
    identity: key.identity,
    trust: new FarmTrust(farmKeyFromText(key.text)),
    host: '127.0.0.1',
    port: 0,
    routes: (app) => {
      app.get(
        '/farm/v1/blobs/:sha256',
        { config: { auth: 'farm' } },
        (request: FastifyRequest<{ Params: { sha256: string } }>, reply) => {
          const path = byHash.get(request.params.sha256);
          if (!path) return reply.code(404).send(errorBody('not-found', 'no such blob'));
          return reply.type('application/octet-stream').send(createReadStream(path));
        },
      );
      app.put(
        '/farm/v1/results/:taskId',
        { config: { auth: 'farm', upload: true }, bodyLimit: 64 * 1024 * 1024 },
        async (request: FastifyRequest<{ Params: { taskId: string }; Querystring: { lease?: string } }>) => {
          const task = request.params.taskId;
          const lease = request.query.lease ?? '';
          await receiveToFile(request.body as Readable, join(dir.path, 'results', `${task}-${lease}.mp4`), {
            maxBytes: 64 * 1024 * 1024,
          });
          const reply = await key.client.json<{ result: string }>(
            peerOf(node),
            'POST',
            `/farm/v1/leases/${lease}/complete`,
            { workerId: request.caller },
          );
          completed.push({ task, lease, result: reply.result });
          await sleep(REPLY_DELAY_MS);
          return { accepted: reply.result === 'accepted' };
        },
      );
    },
  });
  originUrl = (await origin.start()).url;

  node = await startNode({ root: dir.path, name: 'juliett', key });
  await until(
    async () =>
      (await statusOf(key, node)).coordinator?.id === node.id &&
      logEvents(node, 'worker registered').some((e) => e.worker === node.id),
    20_000,
    'the node to be coordinator with its own worker registered',
  );
});

afterAll(async () => {
  await origin?.close();
  await stopFarm(dir, key);
});

function plan(id: string): RenderPlan {
  const ref = (name: 'still' | 'narration', kind: 'image' | 'audio', file: string) => ({
    sha256: assets[name]?.sha256 as string,
    size: assets[name]?.size as number,
    kind,
    name: file,
  });
  return {
    version: 1,
    id,
    title: id,
    output: {
      container: 'mp4',
      width: 640,
      height: 360,
      fps: 25,
      videoCodec: 'h264',
      encoders: ['libx264'],
      bitrate: '1M',
      crf: 30,
      speedPreset: 'ultrafast',
      pixelFormat: 'yuv420p',
      audioCodec: 'aac',
      audioBitrate: '64k',
      audioSampleRate: 48000,
    },
    durationMs: 2000,
    assets: {
      still: ref('still', 'image', 'still.png'),
      narration: ref('narration', 'audio', 'narration.wav'),
    },
    scenes: [{ startMs: 0, durationMs: 2000, visual: { kind: 'image', asset: 'still', motion: 'none' } }],
    audio: { narration: 'narration' },
  };
}

describe('a worker whose origin answers late', () => {
  it('is not given the next task before its slot is free, so no attempt is lost', async () => {
    // Five tasks for one slot: four times a result comes back while the next task waits. (A heartbeat that
    // reaches the coordinator first hides the race once in a while; four chances make it show.)
    const tasks = ['race-a', 'race-b', 'race-c', 'race-d', 'race-e'].map((jobId) => ({
      id: randomBytes(32).toString('hex'),
      originNodeId: key.identity.id,
      originUrl,
      jobId,
      priority: 0,
      createdAt: Date.now(),
      plan: plan(jobId),
      requirements: { encoders: ['libx264'] },
    }));
    for (const task of tasks) {
      const reply = await key.client.json<{ status: string }>(peerOf(node), 'POST', '/farm/v1/tasks', task);
      expect(['queued', 'leased']).toContain(reply.status);
    }
    await until(
      () => tasks.every((t) => completed.some((c) => c.task === t.id && c.result === 'accepted')),
      50_000,
      'every result to be accepted',
    );

    const rows = readDb<{ id: string; status: string; attempts: number; failures_by_worker: string }>(
      node.dataDir,
      'SELECT id, status, attempts, failures_by_worker FROM farm_tasks',
    );
    expect(rows.map((r) => r.id).sort()).toEqual(tasks.map((t) => t.id).sort());
    const refusedDispatches = [
      ...logEvents(node, 'dispatch failed; requeued'),
      ...logEvents(node, 'offer not delivered; requeued'),
    ];
    expect(refusedDispatches, 'leases pushed to the worker while its slot was still taken').toEqual([]);
    for (const row of rows) {
      expect(row, `task ${row.id}`).toMatchObject({ status: 'done', attempts: 0, failures_by_worker: '{}' });
    }
  }, 60_000);
});

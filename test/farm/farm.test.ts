/**
 * Acceptance of the farm: three real `vfo node` processes on loopback find each other over mDNS, agree
 * on exactly one coordinator, and render six jobs submitted to one of them (`vfo submit --wait`) on
 * more than one Mac; every job ends with exactly one verified video at its origin.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceName } from '../../src/main/farm/cluster/txt.ts';
import { runVfo, tempDir } from '../support/vfo.ts';
import {
  deliveredBy,
  expectOneVideoAtOrigin,
  expectPreviewVideo,
  type FarmKeyFile,
  type FarmStatus,
  type JobView,
  logEvents,
  longScript,
  makeFarmKey,
  type NodeProcess,
  startNodes,
  statusOf,
  stopFarm,
  until,
} from './farm-support.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let nodes: NodeProcess[] = [];

beforeAll(async () => {
  dir = await tempDir('vfo-farm-');
  key = await makeFarmKey(dir.path);
  nodes = await startNodes(dir.path, key, ['alpha', 'bravo', 'charlie']);
});

afterAll(() => stopFarm(dir, key));

describe('a farm of three nodes on loopback', () => {
  it('discovers every peer and elects exactly one coordinator that every node agrees on', async () => {
    const ids = nodes.map((n) => n.id).sort();
    expect(new Set(ids).size).toBe(3);
    const statuses = await until(
      async () => {
        const all = await Promise.all(nodes.map((n) => statusOf(key, n)));
        const agreed =
          all.every((s) => s.coordinator !== null && s.coordinator.id === all[0]?.coordinator?.id) &&
          all.every((s) => s.nodes.filter((n) => n.status === 'online').length === 3);
        return agreed ? all : undefined;
      },
      20_000,
      'every node to see all three online and agree on one coordinator',
    );
    const coordinator = statuses[0]?.coordinator as NonNullable<FarmStatus['coordinator']>;
    expect(ids).toContain(coordinator.id);
    expect(coordinator.term).toBeGreaterThanOrEqual(1);
    for (const [i, status] of statuses.entries()) {
      expect(status.self).toBe(nodes[i]?.id);
      expect(status.nodes.map((n) => n.id).sort()).toEqual(ids);
      expect(status.coordinator).toEqual({
        id: coordinator.id,
        url: nodes.find((n) => n.id === coordinator.id)?.url,
        term: coordinator.term,
      });
      // Exactly one node calls itself (or is called) coordinator, in every node's view.
      expect(status.nodes.filter((n) => n.role === 'coordinator').map((n) => n.id)).toEqual([coordinator.id]);
      // Nodes of other farms on loopback (other test files, some of the same names) may be listed as
      // ignored; ours never are.
      const ours = new Set(nodes.map((n) => instanceName(n.name, n.id)));
      expect(status.ignored.filter((i) => ours.has(i.name))).toEqual([]);
    }
    // Exactly one node took office, once; the others follow it.
    const elected = nodes.filter((n) => logEvents(n, 'this node is now the coordinator').length > 0);
    expect(elected.map((n) => n.id)).toEqual([coordinator.id]);
    expect(logEvents(elected[0] as NodeProcess, 'this node is now the coordinator')).toHaveLength(1);

    // The CLI reports the same farm.
    const cli = await runVfo([
      'status',
      '--node',
      nodes[2]?.url as string,
      '--farm-key-file',
      key.path,
      '--json',
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as FarmStatus;
    expect(fromCli.coordinator?.id).toBe(coordinator.id);
    expect(fromCli.nodes).toHaveLength(3);
  });

  it('renders six jobs submitted to one node on several workers, each with exactly one verified video', async () => {
    const origin = nodes[1] as NodeProcess;
    const scripts: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const path = join(dir.path, `job-${i}.md`);
      await writeFile(path, longScript(`${i}`, 3));
      scripts.push(path);
    }
    const started = Date.now();
    const submitted = await runVfo([
      'submit',
      ...scripts,
      '--node',
      origin.url,
      '--farm-key-file',
      key.path,
      '--wait',
      '--json',
    ]);
    const elapsed = Date.now() - started;
    expect(submitted.code, submitted.stderr).toBe(0);
    const jobs = JSON.parse(submitted.stdout) as JobView[];
    expect(jobs).toHaveLength(6);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(6);
    expect(jobs.map((j) => j.status)).toEqual(Array(6).fill('done'));

    const workers = new Set<string>();
    for (const job of jobs) {
      expect(job.output?.startsWith(origin.dataDir), `${job.output}`).toBe(true);
      await expectPreviewVideo(job.output as string);
      const taskId = expectOneVideoAtOrigin(origin, job);
      workers.add(deliveredBy(nodes, origin, taskId).name);
    }
    expect(workers.size, `workers used: ${[...workers].join(', ')}`).toBeGreaterThanOrEqual(2);

    // The coordinator saw each task leased and done, none lost or failed.
    const coordinatorId = (await statusOf(key, origin)).coordinator?.id;
    const coordinator = nodes.find((n) => n.id === coordinatorId) as NodeProcess;
    const leased = logEvents(coordinator, 'task leased');
    expect(new Set(leased.map((e) => e.task)).size).toBe(6);
    expect(coordinator.log()).not.toMatch(/lease expired/);
    const queue = (await statusOf(key, origin)).queue;
    expect(queue).toMatchObject({ queued: 0, running: 0, done: 6, failed: 0 });
    console.info(`farm: 6 jobs on ${workers.size} workers in ${(elapsed / 1000).toFixed(1)} s`);
  });
});

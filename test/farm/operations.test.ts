/**
 * Farm operations on real `vfo node` processes on loopback: names and versions (a node claiming another
 * app version works with the others; a node of another protocol is listed as incompatible and gets no
 * work), an operator's remote control of any node (from another node's GUI and from `vfo farm`), jobs
 * leased by priority then age (`vfo submit --priority`, the app's priority control), and an operator's
 * requeue and cancel of a task.
 *
 * oscar is the origin of every job and stays paused; papa (app version 9.9.9-test) does every encode,
 * one at a time, so the order of its leases is the order of the queue.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceName } from '../../src/main/farm/cluster/txt.ts';
import type { FarmStatus, JobSummary } from '../../src/shared/contract.ts';
import { runVfo, tempDir } from '../support/vfo.ts';
import {
  deliveredBy,
  expectOneVideoAtOrigin,
  type FarmKeyFile,
  ffmpegOf,
  jobOf,
  logEvents,
  longScript,
  makeFarmKey,
  type NodeProcess,
  peerOf,
  startNode,
  statusOf,
  stopFarm,
  type UiCall,
  uiSession,
  until,
  waitForJobs,
} from './farm-support.ts';

const OTHER_VERSION = '9.9.9-test';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let oscar: NodeProcess;
let papa: NodeProcess;
let quebec: NodeProcess;
let oscarUi: UiCall;

beforeAll(async () => {
  dir = await tempDir('vfo-farm-ops-');
  key = await makeFarmKey(dir.path);
  [oscar, papa, quebec] = await Promise.all([
    startNode({ root: dir.path, name: 'oscar', key }),
    startNode({ root: dir.path, name: 'papa', key, env: { VFO_APP_VERSION: OTHER_VERSION } }),
    // The same farm key, but a farm protocol this build does not speak.
    startNode({ root: dir.path, name: 'quebec', key, env: { VFO_FARM_PROTOCOL: '2' } }),
  ]);
  oscarUi = await uiSession(key, oscar);
}, 120_000);

afterAll(() => stopFarm(dir, key));

const vfo = (...args: string[]) => runVfo([...args, '--farm-key-file', key.path, '--json']);
const nodeIn = (status: FarmStatus, node: NodeProcess) => status.nodes.find((n) => n.id === node.id);

describe('names and versions', () => {
  it('lists one coordinator and workers, each with its version and protocol; another protocol is incompatible', async () => {
    const status = await until(
      async () => {
        const s = await statusOf(key, oscar);
        const ready =
          s.coordinator !== null &&
          [oscar, papa].every((n) => nodeIn(s, n)?.status === 'online') &&
          nodeIn(s, quebec)?.status === 'incompatible';
        return ready ? s : undefined;
      },
      30_000,
      'oscar to see papa online and quebec incompatible',
    );
    const coordinator = status.coordinator?.id;
    expect([oscar.id, papa.id]).toContain(coordinator);
    expect(status.nodes.map((n) => n.role).sort()).toEqual(['coordinator', 'worker', 'worker']);
    for (const n of status.nodes) expect(n.role).toBe(n.id === coordinator ? 'coordinator' : 'worker');
    expect(nodeIn(status, oscar)).toMatchObject({
      version: '0.1.0',
      protocol: 1,
      status: 'online',
      reason: null,
    });
    expect(nodeIn(status, papa)).toMatchObject({ version: OTHER_VERSION, protocol: 1, status: 'online' });
    expect(nodeIn(status, quebec)).toMatchObject({
      name: 'quebec',
      role: 'worker',
      status: 'incompatible',
      protocol: 2,
      version: '0.1.0',
      reason: 'speaks farm protocol 2; this node speaks 1: it gets no work',
    });
    // Listed as a node, not among the anonymous ignored services. By its own instance name: another
    // test file's node named quebec (another farm, on the same loopback) may be listed as ignored.
    expect(status.ignored.filter((i) => i.name === instanceName(quebec.name, quebec.id))).toEqual([]);

    // quebec sees the others the same way, and elected itself in its own protocol (its own election
    // runs on its own clock: under load it may end after oscar saw the others).
    const fromQuebec = await until(
      async () => {
        const s = await statusOf(key, quebec);
        return s.coordinator ? s : undefined;
      },
      30_000,
      'quebec to elect a coordinator',
    );
    expect(fromQuebec.coordinator?.id).toBe(quebec.id);
    expect(nodeIn(fromQuebec, oscar)).toMatchObject({ status: 'incompatible', protocol: 1 });

    // Were it to register anyway, the coordinator refuses it: it gets no tasks.
    const coordinatorNode = [oscar, papa].find((n) => n.id === coordinator) as NodeProcess;
    const refused = await key.client
      .json(peerOf(coordinatorNode), 'POST', '/farm/v1/workers', {
        id: key.identity.id,
        url: 'http://127.0.0.1:9',
        encoders: ['libx264'],
        maxConcurrency: 1,
        protocol: 2,
      })
      .catch((error: { status?: number; code?: string }) => error);
    expect(refused).toMatchObject({ status: 409, code: 'incompatible' });

    // `vfo status` prints the same.
    const cli = await vfo('status', '--node', oscar.url);
    expect(cli.code, cli.stderr).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as FarmStatus;
    expect(fromCli.nodes.find((n) => n.id === papa.id)?.version).toBe(OTHER_VERSION);
  });
});

describe('remote control', () => {
  it('pauses, drains and resumes any node from another node’s GUI and from vfo farm, signed for that node', async () => {
    // From oscar's GUI: pause papa (oscar signs the request for papa).
    const paused = await oscarUi.call('farm.control', { node: papa.id, action: 'pause' });
    expect(paused).toEqual({ ok: true, value: { node: papa.id, paused: true, draining: false } });
    // papa itself says so, and oscar hears it in papa's hello.
    expect(nodeIn(await statusOf(key, papa), papa)).toMatchObject({
      status: 'paused',
      reason: 'paused by an operator',
    });
    await until(
      async () => nodeIn(await statusOf(key, oscar), papa)?.status === 'paused',
      10_000,
      'oscar to see papa paused',
    );
    // From the command line, by name, through oscar: drain papa, then pause oscar.
    const drained = await vfo('farm', 'drain', 'papa', '--node', oscar.url);
    expect(drained.code, drained.stderr).toBe(0);
    expect(JSON.parse(drained.stdout)).toEqual({ node: papa.id, paused: false, draining: true });
    const pausedOscar = await vfo('farm', 'pause', 'oscar', '--node', papa.url);
    expect(pausedOscar.code, pausedOscar.stderr).toBe(0);
    expect(nodeIn(await statusOf(key, oscar), oscar)?.status).toBe('paused');
    await until(
      async () => nodeIn(await statusOf(key, papa), oscar)?.status === 'paused',
      10_000,
      'papa to see oscar paused',
    );
    // An unknown node is refused with the reason, and so is an incompatible one.
    const unknown = await oscarUi.call('farm.control', { node: 'nobody', action: 'pause' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const incompatible = await vfo('farm', 'pause', 'quebec', '--node', oscar.url);
    expect(incompatible.code).toBe(2);
    expect(incompatible.stderr).toMatch(/speaks another farm protocol/);
    // papa stays drained (no new work) for the next test; quebec never took part.
    expect(nodeIn(await statusOf(key, papa), papa)?.status).toBe('draining');
  });
});

describe('priority, requeue and cancel', () => {
  it('leases by priority then age; the app changes a queued job’s priority; an operator requeues and cancels tasks', async () => {
    const scripts: Record<string, string> = {};
    for (const name of ['zero', 'five', 'low', 'two', 'doomed']) {
      scripts[name] = join(dir.path, `${name}.md`);
      await writeFile(scripts[name] as string, longScript(`priority ${name}`, 2));
    }
    const submit = async (name: string, priority?: number) => {
      const args = ['submit', scripts[name] as string, '--node', oscar.url];
      const result = await vfo(...args, ...(priority === undefined ? [] : [`--priority=${priority}`]));
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { jobId: string }[])[0]?.jobId as string;
    };
    // One at a time, so that "older" is well defined among equal priorities.
    const jobs = {
      zero: await submit('zero'),
      five: await submit('five', 5),
      low: await submit('low', -3),
      two: await submit('two', 2),
      doomed: await submit('doomed', -5),
    };
    const badPriority = await runVfo([
      'submit',
      scripts.zero as string,
      '--node',
      oscar.url,
      '--farm-key-file',
      key.path,
      '--priority',
      'high',
    ]);
    expect(badPriority.code).toBe(2);
    expect(badPriority.stderr).toMatch(/--priority must be a whole number from -1000 to 1000/);

    // Every node takes no work: all five tasks wait in the coordinator's queue.
    const waiting = await until(
      async () => {
        const s = await statusOf(key, oscar);
        return s.tasks.filter((t) => t.status === 'queued').length === 5 ? s : undefined;
      },
      90_000,
      'five tasks queued at the coordinator',
      500,
    );
    const taskOf = (status: FarmStatus, job: string) => status.tasks.find((t) => t.jobId === job);
    expect(waiting.tasks.map((t) => t.priority)).toEqual([5, 2, 0, -3, -5]);
    expect(taskOf(waiting, jobs.zero)?.originName).toBe('oscar');

    // The app's control: the "low" job goes first now.
    const raised = await oscarUi.call<JobSummary>('jobs.setPriority', { id: jobs.low, priority: 9 });
    expect(raised).toMatchObject({ ok: true, value: { id: jobs.low, priority: 9 } });
    const refusedPriority = await oscarUi.call('jobs.setPriority', { id: jobs.low, priority: 5000 });
    expect(refusedPriority).toMatchObject({ ok: false, error: { code: 'invalid' } });
    await until(
      async () => taskOf(await statusOf(key, oscar), jobs.low)?.priority === 9,
      10_000,
      'the coordinator to move the low job to priority 9',
    );
    // An operator cancels the doomed job's task from the GUI: its job is cancelled, in the operator's words (not failed).
    const doomedTask = taskOf(waiting, jobs.doomed)?.id as string;
    const cancelled = await oscarUi.call('farm.task', { task: doomedTask, action: 'cancel' });
    expect(cancelled).toEqual({ ok: true, value: { task: doomedTask, result: 'withdrawn' } });
    const [doomedJob] = await waitForJobs(key, oscar, [jobs.doomed], 20_000);
    expect(doomedJob).toMatchObject({
      status: 'cancelled',
      error: expect.stringMatching(/^its farm task was cancelled by /),
    });

    // papa takes work again: the highest priority first.
    const resumed = await vfo('farm', 'resume', 'papa', '--node', oscar.url);
    expect(resumed.code, resumed.stderr).toBe(0);
    const lowTask = taskOf(waiting, jobs.low)?.id as string;
    const firstFfmpeg = await until(
      async () => {
        const s = await statusOf(key, oscar);
        const leased = s.tasks.find((t) => t.status === 'leased');
        const pids = ffmpegOf(papa);
        return leased?.id === lowTask && leased.workerId === papa.id && pids.length > 0 ? pids : undefined;
      },
      60_000,
      'papa to encode the low job (now priority 9) first',
      100,
    );
    // An operator requeues it mid-encode (by a prefix of its id, through oscar): papa's encode stops.
    const requeued = await vfo('farm', 'requeue', lowTask.slice(0, 12), '--node', oscar.url);
    expect(requeued.code, requeued.stderr).toBe(0);
    expect(JSON.parse(requeued.stdout)).toEqual({ task: lowTask, result: 'requeued' });
    await until(
      () => firstFfmpeg.every((pid) => !ffmpegOf(papa).includes(pid)),
      15_000,
      'the requeued encode to stop on papa',
    );

    const finished = await waitForJobs(key, oscar, [jobs.low, jobs.five, jobs.two, jobs.zero], 240_000);
    expect(finished.map((j) => j.status)).toEqual(['done', 'done', 'done', 'done']);
    for (const job of finished) {
      const task = expectOneVideoAtOrigin(oscar, job);
      // The node of another app version did every encode.
      expect(deliveredBy([oscar, papa], oscar, task).name).toBe('papa');
    }
    // The coordinator's leases, in order: low (then low again after the requeue), five, two, zero.
    const coordinatorNode = [oscar, papa].find((n) => n.id === waiting.coordinator?.id) as NodeProcess;
    const taskToJob = new Map(waiting.tasks.map((t) => [t.id, t.jobId]));
    const jobName = new Map(Object.entries(jobs).map(([name, id]) => [id, name]));
    const leased = logEvents(coordinatorNode, 'task leased').map((e) =>
      jobName.get(taskToJob.get(e.task as string) as string),
    );
    expect(leased).toEqual(['low', 'low', 'five', 'two', 'zero']);
    expect(logEvents(coordinatorNode, 'task requeued by an operator')).toMatchObject([{ task: lowTask }]);
    // A requeue is not a failure: nothing was counted against papa.
    expect((await statusOf(key, oscar)).blocks).toEqual([]);
    const lowView = await jobOf(key, oscar, jobs.low);
    expect(lowView.status).toBe('done');
    // The player plays a finished video; once it is moved away, the node says so (it answered 500).
    const video = `/api/v1/jobs/${jobs.low}/video`;
    const played = await oscarUi.get(video);
    expect(played.headers.get('content-type')).toBe('video/mp4');
    const size = (await played.arrayBuffer()).byteLength;
    // A range past its end is said as such, with the size (it was a 400 "bad request", without it).
    const past = await oscarUi.get(video, { range: 'bytes=99999999999-' });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
    expect(await past.json()).toMatchObject({ error: { code: 'range-not-satisfiable' } });
    await rename(lowView.output as string, `${lowView.output}.moved`);
    const gone = await oscarUi.get(video);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({
      error: { code: 'not-found', message: 'the finished video is no longer where it was made' },
    });
    await rename(`${lowView.output}.moved`, lowView.output as string);
    // quebec, of another protocol, never got a task.
    expect(logEvents(quebec, 'lease failed')).toEqual([]);
    expect(quebec.log()).not.toMatch(/task leased|result delivered/);
  });
});

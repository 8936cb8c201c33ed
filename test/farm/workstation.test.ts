/**
 * Workstation-friendly workers on real `vfo node` processes on loopback: whiskey has render hours that
 * exclude now (it takes no work); victor yields while someone uses it — its idle time comes from the
 * stand-in file VFO_IDLE_SECONDS_FILE names (on a Mac: HIDIdleTime from ioreg) — and suspends its
 * running encode (SIGSTOP) until it is idle again, without losing the lease. A worker whose disk has
 * less free than it keeps (`vfo gc --keep-free`) takes no encode either, until it has room again.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmStatus } from '../../src/shared/contract.ts';
import { runVfo, tempDir } from '../support/vfo.ts';
import {
  deliveredBy,
  expectOneVideoAtOrigin,
  type FarmKeyFile,
  ffmpegOf,
  logEvents,
  longScript,
  makeFarmKey,
  type NodeProcess,
  sleep,
  startNode,
  statusOf,
  stopFarm,
  submitScript,
  until,
  waitForJobs,
} from './farm-support.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let victor: NodeProcess;
let whiskey: NodeProcess;
let idleFile: string;

/** "HH:MM" of local time `hours` from now. */
function localTimeIn(hours: number): string {
  const at = new Date(Date.now() + hours * 3600_000);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

const someoneTyping = () => writeFile(idleFile, '0\n');
const nobodyThere = () => writeFile(idleFile, '3600\n');
const nodeIn = (status: FarmStatus, node: NodeProcess) => status.nodes.find((n) => n.id === node.id);

/** The scheduler state of a process: 'T' when stopped; undefined once it has ended. */
function processState(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  } catch {
    return undefined;
  }
}

const HOURS = `${localTimeIn(2)}-${localTimeIn(3)}`;

/** A short script sent to whiskey, its task seen waiting in the queue, and still waiting, untried, 5 s on. */
async function submitAndSeeItWait(name: string): Promise<string> {
  const jobId = await submitScript(key, whiskey, `${name}.md`, longScript(name, 2));
  const taskOf = async () => (await statusOf(key, whiskey)).tasks.find((t) => t.jobId === jobId);
  await until(
    async () => (await taskOf())?.status === 'queued',
    90_000,
    'the task to wait in the queue',
    500,
  );
  await sleep(5000);
  expect(await taskOf()).toMatchObject({ status: 'queued', attempts: 0 });
  return jobId;
}

/** The job ends done, its one video encoded by victor. */
async function expectEncodedByVictor(jobId: string, timeoutMs: number): Promise<void> {
  const [job] = await waitForJobs(key, whiskey, [jobId], timeoutMs);
  expect(job?.status, job?.error ?? '').toBe('done');
  expect(deliveredBy([victor, whiskey], whiskey, expectOneVideoAtOrigin(whiskey, job as never)).name).toBe(
    'victor',
  );
}

beforeAll(async () => {
  dir = await tempDir('vfo-farm-workstation-');
  key = await makeFarmKey(dir.path);
  idleFile = join(dir.path, 'victor-idle-seconds');
  await nobodyThere();
  [victor, whiskey] = await Promise.all([
    startNode({
      root: dir.path,
      name: 'victor',
      key,
      extraArgs: ['--yield-idle-seconds', '60', '--yield-suspend'],
      env: { VFO_IDLE_SECONDS_FILE: idleFile },
    }),
    startNode({ root: dir.path, name: 'whiskey', key, extraArgs: ['--render-hours', HOURS] }),
  ]);
  await until(
    async () => {
      const s = await statusOf(key, whiskey);
      return s.coordinator !== null && nodeIn(s, victor)?.status === 'online';
    },
    30_000,
    'whiskey to see victor online under a coordinator',
  );
}, 120_000);

afterAll(async () => {
  // Never leave a stopped ffmpeg behind.
  await nobodyThere().catch(() => undefined);
  await stopFarm(dir, key);
});

describe('render hours and yielding to the user', () => {
  it('takes no work outside its render hours, nor while someone uses the computer', async () => {
    const status = await statusOf(key, victor);
    expect(nodeIn(status, whiskey)).toMatchObject({
      status: 'yielding',
      reason: `outside its render hours (${HOURS})`,
    });
    await someoneTyping();
    await until(
      async () => nodeIn(await statusOf(key, whiskey), victor)?.status === 'yielding',
      10_000,
      'victor to yield to its user',
    );
    expect(nodeIn(await statusOf(key, victor), victor)?.reason).toMatch(
      /^someone is using this computer \(idle 0 s, less than 60 s\)$/,
    );
    // Nobody takes it while victor's user is there and whiskey is out of hours.
    const jobId = await submitAndSeeItWait('waits');
    await nobodyThere();
    await expectEncodedByVictor(jobId, 120_000);
  });

  it('suspends its running encode while its user works, keeps the lease, and finishes once idle again', async () => {
    const jobId = await submitScript(key, whiskey, 'long.md', longScript('suspended', 30));
    await until(() => ffmpegOf(victor).length > 0, 120_000, 'victor to start encoding', 100);
    await someoneTyping();
    // Short ffmpeg runs may come before the encode (probes, loudness); the encode is the one stopped.
    const pid = await until(
      () => ffmpegOf(victor).find((p) => processState(p) === 'T'),
      30_000,
      'the encode to be suspended',
      100,
    );
    // Longer than a lease lives without renewal: victor's heartbeats keep it.
    await sleep(7000);
    expect(processState(pid)).toBe('T');
    const held = (await statusOf(key, whiskey)).tasks.find((t) => t.jobId === jobId);
    expect(held).toMatchObject({ status: 'leased', workerId: victor.id, attempts: 0 });
    await nobodyThere();
    await until(() => processState(pid) !== 'T', 10_000, 'the encode to continue', 100);
    await expectEncodedByVictor(jobId, 180_000);
    expect(logEvents(victor, 'encode suspended')).toHaveLength(1);
    expect(logEvents(victor, 'encode continued')).toHaveLength(1);
    for (const node of [victor, whiskey]) expect(node.log()).not.toMatch(/lease expired/);
  });

  it('takes no encode while its disk has less free than it keeps, and takes it once it has room', async () => {
    // More than any disk has: victor's disk is "nearly full" as far as its setting goes.
    const keepFree = (size: string) => runVfo(['gc', '--keep-free', size, '--data', victor.dataDir]);
    expect((await keepFree('1000000GB')).code).toBe(0);
    await until(
      async () => nodeIn(await statusOf(key, whiskey), victor)?.status === 'yielding',
      10_000,
      'victor to take no work for its disk',
    );
    expect(nodeIn(await statusOf(key, victor), victor)?.reason).toMatch(/^the disk is nearly full \(/);
    const jobId = await submitAndSeeItWait('full');
    expect((await keepFree('default')).code).toBe(0);
    await expectEncodedByVictor(jobId, 120_000);
    expect(logEvents(victor, 'takes no new encode: the disk is nearly full')).toHaveLength(1);
    expect(logEvents(victor, 'the disk has room again: takes encodes')).toHaveLength(1);
  });
});

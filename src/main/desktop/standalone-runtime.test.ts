/**
 * The stand-in runtime over a real data folder: a job rendered by `vfo` appears in the app's calls,
 * its video is the one served to the window, and a retried encode goes through the app's runner
 * starter (the utility-process seam), not child_process.fork.
 */

import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVfo, tempDir } from '../../../test/support/vfo.ts';
import type { VfoEvent } from '../../shared/contract.ts';
import { ENCODE_RUNNER_PATH, forkRunner, type RunnerChannel } from '../ffmpeg/index.ts';
import { envSecretStore } from '../secrets/secret-store.ts';
import type { DesktopRuntime } from './service.ts';
import { createStandaloneRuntime } from './standalone-runtime.ts';

const RESOURCES = resolve(import.meta.dirname, '../../../resources');

let dir: { path: string; remove(): Promise<void> };
let runtime: DesktopRuntime;
let jobId: string;
const started: string[] = [];

beforeAll(async () => {
  dir = await tempDir('vf-standalone-');
  const script = join(dir.path, 'hello.md');
  await writeFile(script, '---\ntitle: Hello app\n---\n\n# One\n\nHello from the app.\n');
  const render = await runVfo([
    'render',
    script,
    '--json',
    '--video-preset',
    'preview-360p',
    '--data',
    join(dir.path, 'data'),
  ]);
  expect(render.code, render.stderr).toBe(0);
  jobId = (JSON.parse(render.stdout) as { id: string }[])[0]?.id ?? '';
  runtime = await createStandaloneRuntime({
    dataDir: join(dir.path, 'data'),
    resourcesDir: RESOURCES,
    secrets: envSecretStore({ ANTHROPIC_API_KEY: 'sk-test' }),
    encodeRunnerPath: ENCODE_RUNNER_PATH,
    startEncodeRunner: (path): RunnerChannel => {
      started.push(path);
      return forkRunner(path);
    },
    workerOnly: false,
  });
});
afterAll(async () => {
  await runtime?.close();
  await dir?.remove();
});

describe('standalone runtime', () => {
  it('lists and details the jobs of the data folder', async () => {
    const list = await runtime.service['jobs.list']({});
    expect(list.ok && list.value.map((j) => [j.id, j.title, j.status])).toEqual([[jobId, 'hello', 'done']]);
    const detail = await runtime.service['jobs.get']({ id: jobId.slice(0, 8) });
    expect(
      detail.ok && detail.value.steps.some((s) => s.kind === 'render.encode' && s.status === 'done'),
    ).toBe(true);
    expect(detail.ok && detail.value.artifacts.length).toBeGreaterThan(0);
    expect(await runtime.service['jobs.get']({ id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });

  it('serves only finished videos of known jobs', async () => {
    expect(await runtime.videoPathOf(jobId)).toBe(join(dir.path, 'hello.mp4'));
    expect(await runtime.videoPathOf('unknown')).toBeNull();
  });

  it('answers what it cannot do as values, and reports providers without values', async () => {
    expect(await runtime.service['farm.status']({})).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    expect(await runtime.service['settings.providers']({})).toEqual({
      ok: true,
      value: { anthropic: true, azureSpeech: false },
    });
    expect(await runtime.service['farm.setPaused']({ paused: true })).toEqual({
      ok: true,
      value: { paused: true },
    });
    expect(runtime.trayState()).toEqual({ role: 'solo', running: [], queued: 0, paused: true });
  });

  it('re-encodes a retried job through the app’s runner starter, showing it in the menu bar', async () => {
    const detail = await runtime.service['jobs.get']({ id: jobId });
    const encodeKey = detail.ok ? detail.value.steps.find((s) => s.kind === 'render.encode')?.key : undefined;
    expect(encodeKey).toBeDefined();
    const events: VfoEvent[] = [];
    let sawEncodeInTray = false;
    const finished = new Promise<void>((done) => {
      runtime.subscribe((event) => {
        events.push(event);
        if (runtime.trayState().running.some((t) => t.title === 'hello')) sawEncodeInTray = true;
        if (event.type === 'job' && event.jobId === jobId && event.status !== 'running') done();
      });
    });
    const retried = await runtime.service['jobs.retry']({ id: jobId, fromStep: encodeKey as string });
    expect(retried.ok).toBe(true);
    await finished;
    expect(events.some((e) => e.type === 'job' && e.status === 'done')).toBe(true);
    expect(started).toEqual([ENCODE_RUNNER_PATH]);
    expect(sawEncodeInTray).toBe(true);
    expect(runtime.trayState().running).toEqual([]);
  });
});

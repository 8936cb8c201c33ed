import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobDetail, ScriptCheck, ScriptUpload } from '../../../shared/contract.ts';
import { type FakeConnection, fail, fakeConnection, ok } from '../test-support/fake-connection.ts';
import { useImportStore } from './import-store.ts';
import { useJobsStore } from './jobs-store.ts';
import { startLiveUpdates } from './live-updates.ts';
import { useSessionStore } from './session-store.ts';
import { useToastStore } from './toast-store.ts';

function checkOf(script: ScriptUpload): ScriptCheck {
  const invalid = script.text.includes('[frobnicate]');
  return {
    name: script.name,
    ok: !invalid,
    diagnostics: invalid
      ? [
          {
            file: script.name,
            line: 1,
            col: 5,
            severity: 'error',
            message: 'unknown stage direction [frobnicate]',
          },
        ]
      : [],
    title: null,
    scenes: [{ title: 'One', sentences: 1 }],
    estimatedSeconds: 3,
  };
}

function job(id: string): JobDetail {
  return {
    id,
    title: id,
    status: 'queued',
    priority: 0,
    recipe: { slug: 'narrated-16x9', version: 1 },
    output: null,
    error: null,
    warnings: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    steps: [],
    artifacts: [],
    logs: {},
  };
}

let connection: FakeConnection;

beforeEach(() => {
  connection = fakeConnection({ withLogin: true });
  useSessionStore.getState().connect(connection);
  useSessionStore.getState().loggedIn();
  connection.answer('scripts.check', (args) => ok(checkOf((args as { script: ScriptUpload }).script)));
  connection.answer('jobs.list', () => ok([]));
});

afterEach(() => {
  useImportStore.setState({ scripts: [], recipe: '', videoPreset: '', queueing: false });
  useJobsStore.setState({ byId: {}, loaded: false, openId: null, detail: null, pending: {} });
  useToastStore.setState({ toasts: [] });
});

describe('import store', () => {
  it('checks every dropped script and sends only the valid ones for import, with the chosen preset', async () => {
    connection.answer('scripts.import', (args) =>
      ok(
        (args as { scripts: ScriptUpload[] }).scripts.map((script, index) => ({
          name: script.name,
          queued: true,
          jobId: `job-${index}`,
          check: checkOf(script),
        })),
      ),
    );
    const store = useImportStore.getState();
    await store.addFiles([
      new File(['# One\nHello.'], 'good.md'),
      new File(['# One\nBad [frobnicate].'], 'bad.md'),
      new File(['# One\nAgain.'], 'good.md'),
    ]);
    expect(useImportStore.getState().scripts.map((s) => [s.name, s.state, s.check?.ok])).toEqual([
      ['good.md', 'checked', true],
      ['bad.md', 'checked', false],
      ['good.md', 'checked', true],
    ]);

    store.setVideoPreset('preview-360p');
    await useImportStore.getState().queueValid();
    const importCall = connection.calls.find((call) => call.method === 'scripts.import');
    expect(importCall?.args).toEqual({
      scripts: [
        { name: 'good.md', text: '# One\nHello.' },
        { name: 'good.md', text: '# One\nAgain.' },
      ],
      videoPreset: 'preview-360p',
    });
    // Same names, different scripts: outcomes are matched by position.
    expect(useImportStore.getState().scripts.map((s) => [s.state, s.jobId])).toEqual([
      ['queued', 'job-0'],
      ['checked', null],
      ['queued', 'job-1'],
    ]);
  });

  it('refuses a file too large to be a script without asking the node', async () => {
    await useImportStore.getState().addFiles([new File([new Uint8Array(600 * 1024)], 'huge.md')]);
    const [script] = useImportStore.getState().scripts;
    expect(script?.state).toBe('unreadable');
    expect(script?.problem).toContain('too large');
    expect(connection.calls.some((call) => call.method === 'scripts.check')).toBe(false);
  });
});

describe('failed calls', () => {
  it('become one notification each (repeats are not stacked)', async () => {
    connection.answer('jobs.list', () => fail('internal', 'database is locked'));
    await useJobsStore.getState().load();
    await useJobsStore.getState().load();
    expect(useToastStore.getState().toasts.map((t) => [t.kind, t.message])).toEqual([
      ['error', 'Loading jobs: database is locked'],
    ]);
  });

  it('send a LAN browser back to the login screen when the session ended', async () => {
    connection.answer('jobs.list', () => fail('unauthorized', 'log in again'));
    await useJobsStore.getState().load();
    expect(useSessionStore.getState().phase).toBe('login');
    expect(useToastStore.getState().toasts).toEqual([]);
  });
});

describe('live updates', () => {
  it('apply events to known jobs and fetch a job first seen in an event', async () => {
    connection.answer('jobs.get', (args) => ok(job((args as { id: string }).id)));
    const stop = startLiveUpdates(connection);
    connection.emit({ type: 'job', jobId: 'new-job', status: 'queued' });
    await expect.poll(() => useJobsStore.getState().byId['new-job']?.status).toBe('queued');
    expect(useJobsStore.getState().byId['new-job']).not.toHaveProperty('logs');
    connection.emit({ type: 'job', jobId: 'new-job', status: 'running' });
    expect(useJobsStore.getState().byId['new-job']?.status).toBe('running');
    stop();
  });
});

/**
 * Acceptance of the farm's monitoring with two real `vfo node` processes on loopback: the coordinator
 * raises alerts from thresholds set in its settings (more than 1 task waiting; a render past 1 s; a
 * summary every few seconds), they show in every node's status and in `vfo status`, and go to a local
 * webhook receiver signed with the webhook secret; the encodes show fps/speed/ETA in status; after the
 * work, `/metrics` on the listener each node was given serves Prometheus text with what happened, and
 * the coordinator's history lists who encoded what.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/db/open.ts';
import { LEASE_GAP_MS } from '../../src/main/ops/alert-rules.ts';
import { alertsSetting, historySetting } from '../../src/main/settings/index.ts';
import type { FarmHistory, FarmStatus as FullStatus } from '../../src/shared/contract.ts';
import { parseExposition } from '../support/prometheus.ts';
import { runVfo, tempDir } from '../support/vfo.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import {
  type FarmKeyFile,
  longScript,
  makeFarmKey,
  type NodeProcess,
  peerOf,
  startNode,
  stopFarm,
  submitScript,
  until,
  waitForJobs,
} from './farm-support.ts';

const WEBHOOK_SECRET = 'alerts-webhook-secret-for-the-test-0123456789';
const JOBS = 3;
/** Summaries every 0.004 h = 14.4 s, so one comes during the test. */
const SUMMARY_HOURS = 0.004;

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let receiver: WebhookReceiver;
const nodes: NodeProcess[] = [];

const status = (node: NodeProcess) => key.client.json<FullStatus>(peerOf(node), 'GET', '/api/v1/status');
const metricsUrlOf = (node: NodeProcess) => {
  const line = node
    .stdout()
    .split('\n')
    .find((l) => l.includes('"listening"')) as string;
  return (JSON.parse(line) as { metrics?: string }).metrics;
};
async function scrape(node: NodeProcess) {
  const response = await fetch(metricsUrlOf(node) as string);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

beforeAll(async () => {
  dir = await tempDir('vfo-ops-');
  key = await makeFarmKey(dir.path);
  receiver = await startWebhookReceiver(WEBHOOK_SECRET);
  const secretFile = join(dir.path, 'webhook.secret');
  await writeFile(secretFile, `${WEBHOOK_SECRET}\n`);
  await chmod(secretFile, 0o600);
  for (const name of ['ops-alpha', 'ops-bravo']) {
    // Thresholds are settings: written before the node starts, as a user would in the data folder.
    const database = openDatabase(join(dir.path, name));
    alertsSetting.write(database.db, {
      queueCritical: 1,
      renderWarningSeconds: 1,
      summaryEveryHours: SUMMARY_HOURS,
    });
    historySetting.write(database.db, { sampleSeconds: 1 });
    database.close();
    nodes.push(
      await startNode({
        root: dir.path,
        name,
        key,
        extraArgs: [
          ...['--metrics-listen', '127.0.0.1:0'],
          ...['--alert-webhook', receiver.url],
          ...['--alert-webhook-secret-file', secretFile],
        ],
      }),
    );
  }
});

afterAll(async () => {
  await stopFarm(dir, key);
  await receiver?.close();
});

describe('farm monitoring on loopback', () => {
  it('raises alerts, shows fps/speed/ETA per encode, serves metrics and keeps the history', async () => {
    const [alpha, bravo] = nodes as [NodeProcess, NodeProcess];
    const first = await until(
      async () => {
        const s = await status(alpha);
        return s.coordinator && s.nodes.filter((n) => n.status === 'online').length === 2 ? s : undefined;
      },
      20_000,
      'a coordinator and both nodes online',
    );
    const coordinator = nodes.find((n) => n.id === first.coordinator?.id) as NodeProcess;
    expect(first.alerts).toEqual([]);

    // Both workers paused: every task waits, so more than 1 waits.
    for (const node of nodes) await key.client.json(peerOf(node), 'POST', '/farm/v1/worker/pause');
    const jobIds: string[] = [];
    for (let i = 0; i < JOBS; i++)
      jobIds.push(await submitScript(key, alpha, `ops-${i}.md`, longScript(`ops-${i}`, 6)));

    const backlog = await until(
      async () => (await status(bravo)).alerts.find((a) => a.kind === 'queue-backlog'),
      90_000,
      'the backlog alert in the other node’s status',
    );
    expect(backlog.severity).toBe('critical');
    expect(backlog.details.threshold).toBe(1);
    expect(Number(backlog.details.queued)).toBeGreaterThan(1);

    // `vfo status` shows it too.
    const cli = await runVfo(['status', '--node', alpha.url, '--farm-key-file', key.path]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^ {2}CRITICAL +\d+ tasks are waiting in the farm's queue \(more than 1\)$/m);

    for (const node of nodes) await key.client.json(peerOf(node), 'POST', '/farm/v1/worker/resume');

    // While they encode: each encode's fps, speed and time left, and a warning for a render past 1 s.
    const measured = await until(
      async () =>
        (await status(alpha)).encodes.find((e) => e.rate?.fps !== undefined && e.rate?.etaMs !== undefined),
      90_000,
      'an encode with fps and ETA in status',
      250,
    );
    expect(jobIds).toContain(measured.jobId);
    expect(nodes.map((n) => n.id)).toContain(measured.workerId);
    expect(measured.rate?.speed).toBeGreaterThan(0);
    await until(
      async () => (await status(alpha)).alerts.some((a) => a.kind === 'long-render'),
      60_000,
      'a long-render warning',
      250,
    );

    const jobs = await waitForJobs(key, alpha, jobIds, 240_000);
    expect(jobs.map((j) => j.status)).toEqual(Array(JOBS).fill('done'));
    const after = await until(
      async () => {
        const s = await status(alpha);
        return s.alerts.every((a) => a.kind === 'daily-summary') ? s : undefined;
      },
      // A long render's alert is resolved LEASE_GAP_MS after its task stops running (alert-rules.ts).
      LEASE_GAP_MS + 10_000,
      'the backlog and long renders to be over',
    );
    expect(after.encodes).toEqual([]);

    // The webhook heard each alert raised and resolved, every delivery signed with the secret.
    await until(
      () =>
        receiver.received.some((r) => r.json.event === 'resolved' && r.json.alert.kind === 'queue-backlog'),
      10_000,
      'the backlog resolved at the webhook',
    );
    expect(receiver.received.length).toBeGreaterThanOrEqual(3);
    expect(receiver.received.every((r) => r.signed)).toBe(true);
    const events = receiver.received.map((r) => `${r.json.event} ${r.json.alert.kind}`);
    expect(events).toContain('raised queue-backlog');
    expect(events).toContain('raised long-render');
    expect(events).toContain('resolved long-render');
    expect(receiver.received[0]?.json.coordinator).toEqual({ id: coordinator.id, name: coordinator.name });
    // The secret is nowhere in what the nodes logged.
    for (const node of nodes) expect(node.log()).not.toContain(WEBHOOK_SECRET);

    // A summary comes every 14.4 s: the ones sent after the work count every render once.
    await until(
      () => {
        const summaries = receiver.received.filter((r) => r.json.alert.kind === 'daily-summary');
        const done = summaries.reduce((sum, r) => sum + Number(r.json.alert.details?.done), 0);
        return done >= JOBS && summaries.every((r) => r.signed) ? done : undefined;
      },
      40_000,
      'summaries counting every render',
    );

    // Prometheus text from each node's own listener, after real work.
    const fromCoordinator = await scrape(coordinator);
    expect(fromCoordinator.types.get('vfo_render_seconds')).toBe('histogram');
    expect(fromCoordinator.value('vfo_render_seconds_count')).toBe(JOBS);
    expect(fromCoordinator.value('vfo_render_seconds_sum')).toBeGreaterThan(0);
    expect(fromCoordinator.value('vfo_render_seconds_bucket', { le: '+Inf' })).toBe(JOBS);
    expect(fromCoordinator.value('vfo_queue_jobs', { state: 'done' })).toBe(JOBS);
    expect(fromCoordinator.value('vfo_queue_jobs', { state: 'queued' })).toBe(0);
    expect(fromCoordinator.value('vfo_task_retries_total')).toBe(0);
    expect(fromCoordinator.value('vfo_alerts', { severity: 'critical' })).toBe(0);
    const fromOrigin = await scrape(alpha);
    expect(fromOrigin.value('vfo_jobs_total', { outcome: 'done' })).toBe(JOBS);
    expect(fromOrigin.value('vfo_jobs_total', { outcome: 'failed' })).toBe(0);
    for (const node of nodes) {
      const scraped = node === coordinator ? fromCoordinator : await scrape(node);
      expect(scraped.value('vfo_node_slots', { state: 'free' })).toBe(1);
      expect(scraped.value('vfo_node_slots', { state: 'busy' })).toBe(0);
    }
    // Only the coordinator reports the queue: a sum over the nodes counts it once.
    const other = nodes.find((n) => n !== coordinator) as NodeProcess;
    expect((await scrape(other)).value('vfo_queue_jobs', { state: 'done' })).toBeUndefined();

    // The history: who encoded what, and the queue as it moved.
    const history = await key.client.json<FarmHistory>(
      peerOf(coordinator),
      'GET',
      '/farm/v1/history?since=0',
    );
    expect(history.coordinatorId).toBe(coordinator.id);
    const done = history.runs.filter((r) => r.outcome === 'done');
    expect(done.map((r) => r.jobId).sort()).toEqual([...jobIds].sort());
    for (const run of done) {
      expect(nodes.map((n) => n.id)).toContain(run.workerId);
      expect(run.endedAt).toBeGreaterThan(run.startedAt);
      expect(run.videoSeconds).toBeGreaterThan(3);
    }
    expect(Math.max(...history.samples.map((s) => s.queued))).toBeGreaterThan(1);
  }, 400_000);

  it('refuses a metrics address without a host, and a webhook secret others may read', async () => {
    const bad = await runVfo(['node', '--farm-key-file', key.path, '--metrics-listen', '9464']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--metrics-listen must be HOST:PORT (e.g. 127.0.0.1:9464), not "9464"');
    const open = join(dir.path, 'open.secret');
    await writeFile(open, `${WEBHOOK_SECRET}\n`, { mode: 0o644 });
    await chmod(open, 0o644);
    const refused = await runVfo(['node', '--farm-key-file', key.path, '--alert-webhook-secret-file', open]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `can be read by other users (mode 644); make it private with: chmod 600 ${open}`,
    );
    expect(refused.stderr).not.toContain(WEBHOOK_SECRET);
  });
});

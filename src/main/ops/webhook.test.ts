import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/support/webhook-receiver.ts';
import type { Alert } from '../../shared/contract.ts';
import { addLogSink, type LogLevel, type LogRecord, setLogLevel } from '../log/logger.ts';
import { alertsSetting, webhookUrlProblem } from '../settings/index.ts';
import { AlertCenter } from './alert-center.ts';
import {
  type AlertDelivery,
  deliver,
  readWebhookSecret,
  WebhookQueue,
  webhookSecretFromText,
} from './webhook.ts';

const SECRET = 'receiver-shared-secret-0123456789abcdef';
const alert: Alert = {
  id: 'queue-backlog',
  severity: 'critical',
  kind: 'queue-backlog',
  message: '12 tasks are waiting',
  since: 1,
  details: { queued: 12, threshold: 10 },
};
const delivery = (event: 'raised' | 'resolved' = 'raised'): AlertDelivery => ({
  version: 1,
  event,
  alert,
  coordinator: { id: 'abc', name: 'mini' },
  sentAt: 2,
});

let receiver: WebhookReceiver;
let logs: LogRecord[];
let stopLogs: () => void;

beforeEach(async () => {
  receiver = await startWebhookReceiver(SECRET);
  logs = [];
  stopLogs = addLogSink((record) => logs.push(record));
});

afterEach(async () => {
  setLogLevel((process.env.VFO_LOG_LEVEL as LogLevel | undefined) ?? 'warn');
  stopLogs();
  await receiver.close();
});

describe('the alert webhook', () => {
  it('POSTs the alert as JSON with an HMAC-SHA256 signature the receiver can check', async () => {
    const target = { url: receiver.url, secret: webhookSecretFromText(SECRET) };
    const result = await deliver(target, delivery());
    expect(result).toEqual({ ok: true, status: 204 });
    const [hook] = receiver.received;
    expect(hook?.signed).toBe(true);
    expect(hook?.headers['content-type']).toBe('application/json');
    expect(hook?.headers['x-vfo-event']).toBe('raised');
    expect(hook?.json).toEqual(delivery());
    // Signed by another secret, the same request does not verify.
    const other = { url: receiver.url, secret: webhookSecretFromText('another-secret-entirely-0123456') };
    await deliver(other, delivery());
    expect(receiver.received[1]?.signed).toBe(false);
  });

  it('tries again after a 5xx or no answer, and never after a 4xx', async () => {
    const target = { url: receiver.url, secret: webhookSecretFromText(SECRET) };
    const fast = { backoffMs: () => 10 };
    receiver.respondWith(503, 502);
    expect(await deliver(target, delivery(), fast)).toEqual({ ok: true, status: 204 });
    expect(receiver.received).toHaveLength(3);
    receiver.respondWith(400);
    expect(await deliver(target, delivery(), fast)).toEqual({ ok: false, status: 400 });
    expect(receiver.received).toHaveLength(4);
    const gone = await deliver({ ...target, url: 'http://127.0.0.1:9/nobody' }, delivery(), fast);
    expect(gone.ok).toBe(false);
    expect(gone.error).toBeTruthy();
  });

  // Found by attacking the operations: a webhook URL with a user and password was accepted, fetch
  // refused it on every alert, and its message (the whole URL) went to the log.
  it('takes no URL with a user or password, and logs no failed URL’s text', async () => {
    const withUser = 'http://hooks:S3CRET-TOKEN@127.0.0.1:9/alerts';
    expect(webhookUrlProblem(withUser)).toMatch(/without a user or password/);
    expect(webhookUrlProblem('ftp://127.0.0.1/alerts')).toMatch(/http\(s\)/);
    expect(webhookUrlProblem('https://hooks.example/alerts?sig=abc')).toBeNull();
    expect(alertsSetting.schema.safeParse({ webhookUrl: withUser }).success).toBe(false);
    expect(alertsSetting.schema.safeParse({ webhookUrl: 'https://hooks.example/a' }).success).toBe(true);
    const target = { url: withUser, secret: webhookSecretFromText(SECRET) };
    const refused = await deliver(target, delivery(), { attempts: 1 });
    expect(refused.ok).toBe(false);
    expect(refused.error).not.toContain('S3CRET');
    const unreachable = { url: 'http://127.0.0.1:2/alerts?token=S3CRET-TOKEN', secret: target.secret };
    const down = await deliver(unreachable, delivery(), { attempts: 1 });
    expect(down.error).toBe('ECONNREFUSED');
  });

  it('keeps the secret out of logs, JSON and inspection', async () => {
    const secret = webhookSecretFromText(SECRET);
    expect(String(secret)).toBe('[webhook secret]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[webhook secret]"}');
    expect(inspect({ secret })).not.toContain(SECRET);
    // Every level, so an info line with the secret in it would be caught too.
    setLogLevel('debug');
    const queue = new WebhookQueue();
    receiver.respondWith(400);
    queue.push({ url: `${receiver.url}?token=private`, secret }, delivery());
    queue.push({ url: receiver.url, secret }, delivery('resolved'));
    await queue.idle();
    const text = JSON.stringify(logs);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('token=private');
    expect(logs.map((l) => l.message)).toEqual(['alert webhook failed', 'alert sent to the webhook']);
  });

  it('refuses a secret file others may read, and a secret too short to be one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vfo-webhook-'));
    try {
      const file = join(dir, 'secret');
      await writeFile(file, `${SECRET}\n`);
      await chmod(file, 0o644);
      await expect(readWebhookSecret(file)).rejects.toThrow(/can be read by other users .*chmod 600/);
      await chmod(file, 0o600);
      const secret = await readWebhookSecret(file);
      await deliver({ url: receiver.url, secret }, delivery());
      expect(receiver.received.at(-1)?.signed).toBe(true);
      expect(() => webhookSecretFromText('short')).toThrow(/too short \(5 characters/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('AlertCenter (injected clock and farm state)', () => {
  it('announces each alert once when raised and once when resolved, to listeners and the webhook', async () => {
    let now = 1_000_000;
    let state: {
      queued: number;
      encodes: { taskId: string; jobId: string; workerId: string; startedAt: number }[];
    } | null = {
      queued: 3,
      encodes: [],
    };
    const queue = new WebhookQueue();
    const center = new AlertCenter({
      state: () => state,
      settings: () => ({ queueCritical: 1, renderWarningMs: 60_000, summaryEveryMs: 3_600_000 }),
      runs: () => [],
      webhook: () => ({ url: receiver.url, secret: webhookSecretFromText(SECRET) }),
      webhookQueue: queue,
      coordinator: { id: 'abc', name: 'mini' },
      clock: () => now,
    });
    const heard: string[] = [];
    center.subscribe((change) => heard.push(`${change.event} ${change.alert.id}`));
    center.tick();
    now += 1000;
    center.tick();
    expect(center.alerts().map((a) => a.id)).toEqual(['queue-backlog']);
    // A render started 30 s ago passes the 60 s threshold 31 s later.
    state = { queued: 0, encodes: [{ taskId: 't1', jobId: 'j1', workerId: 'w1', startedAt: now - 30_000 }] };
    now += 31_000;
    center.tick();
    expect(center.alerts().map((a) => a.id)).toEqual(['long-render:t1']);
    // An hour after it took over: the summary.
    now = 1_000_000 + 3_600_000;
    state = { queued: 0, encodes: [] };
    center.tick();
    expect(center.alerts().map((a) => a.kind)).toEqual(['daily-summary']);
    // No longer the coordinator: its alerts go quietly.
    state = null;
    center.tick();
    expect(center.alerts()).toEqual([]);
    await queue.idle();
    expect(heard).toEqual([
      'raised queue-backlog',
      'raised long-render:t1',
      'resolved queue-backlog',
      `raised daily-summary:${1_000_000 + 3_600_000}`,
      'resolved long-render:t1',
    ]);
    expect(receiver.received.map((r) => `${r.json.event} ${r.json.alert.id}`)).toEqual(heard);
    expect(receiver.received.every((r) => r.signed)).toBe(true);
  });
});

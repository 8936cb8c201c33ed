import { describe, expect, it } from 'vitest';
import type { Alert, ImportOutcome, ScriptCheck } from '../../shared/contract.ts';
import {
  alertNotifications,
  importProblemsNotification,
  MAX_ALERT_NOTIFICATIONS,
  MAX_ERROR_CHARS,
  notificationFor,
  quitConfirmation,
  shortError,
} from './notifications.ts';

describe('notificationFor', () => {
  it('announces a finished video with its title', () => {
    expect(
      notificationFor({ type: 'job', jobId: 'j1', status: 'done', outputPath: '/v.mp4' }, 'How bees talk'),
    ).toEqual({ title: 'Video ready', body: 'How bees talk' });
  });

  it('announces a failure with the title and the first line of the error, cut short', () => {
    const error = `ffmpeg exited with code 1\n${'x'.repeat(500)}`;
    expect(notificationFor({ type: 'job', jobId: 'j1', status: 'failed', error }, 'Intro')).toEqual({
      title: 'Render failed',
      body: 'Intro: ffmpeg exited with code 1',
    });
    const long = notificationFor(
      { type: 'job', jobId: 'j1', status: 'failed', error: 'e'.repeat(400) },
      'Intro',
    );
    expect(long?.body.length).toBeLessThanOrEqual('Intro: '.length + MAX_ERROR_CHARS);
    expect(long?.body.endsWith('…')).toBe(true);
  });

  it('has a fallback title and error', () => {
    expect(notificationFor({ type: 'job', jobId: 'j', status: 'failed' }, undefined)).toEqual({
      title: 'Render failed',
      body: 'Untitled video: Unknown error',
    });
  });

  it('stays quiet for every other event', () => {
    for (const status of ['queued', 'running', 'cancelled'] as const) {
      expect(notificationFor({ type: 'job', jobId: 'j', status }, 'T')).toBeNull();
    }
    expect(
      notificationFor({ type: 'progress', jobId: 'j', stepKey: 'video', fraction: 0.5 }, 'T'),
    ).toBeNull();
    expect(notificationFor({ type: 'step', jobId: 'j', stepKey: 'video', status: 'failed' }, 'T')).toBeNull();
  });
});

describe('shortError', () => {
  it('skips blank lines', () => {
    expect(shortError('\n\n  real reason \nmore')).toBe('real reason');
  });
});

const check = (name: string, diagnostics: ScriptCheck['diagnostics']): ScriptCheck => ({
  name,
  ok: diagnostics.length === 0,
  diagnostics,
  media: [],
  title: null,
  scenes: [],
  estimatedSeconds: 0,
});

describe('importProblemsNotification', () => {
  it('is null when every script was queued', () => {
    const queued: ImportOutcome = { name: 'a.md', queued: true, jobId: 'j', check: check('a.md', []) };
    expect(importProblemsNotification([queued])).toBeNull();
  });

  it('names a rejected script and its first error', () => {
    const rejected: ImportOutcome = {
      name: 'intro.md',
      queued: false,
      check: check('intro.md', [
        { file: 'intro.md', line: 2, col: 1, severity: 'warning', message: 'long line' },
        { file: 'intro.md', line: 4, col: 7, severity: 'error', message: 'unknown direction [wobble]' },
      ]),
    };
    expect(importProblemsNotification([rejected])).toEqual({
      title: 'intro.md was not imported',
      body: 'intro.md: line 4: unknown direction [wobble]',
    });
  });

  it('counts unreadable files too', () => {
    const text = importProblemsNotification(
      [],
      [
        { name: 'big.md', reason: 'larger than 2048 kB' },
        { name: 'gone.md', reason: 'the file cannot be found' },
      ],
    );
    expect(text).toEqual({
      title: '2 scripts were not imported',
      body: 'big.md: larger than 2048 kB (and 1 more)',
    });
  });
});

// Found by attacking the desktop glue: file names and titles went into notifications as they were.
describe('names in notifications', () => {
  it('shows bidi overrides and control characters as escapes, and cuts a long name', () => {
    const spoof = `invoice\u202egpj.md`;
    expect(importProblemsNotification([], [{ name: spoof, reason: 'not a file\u001b[2J' }])).toEqual({
      title: 'invoice\\u{202e}gpj.md was not imported',
      body: 'invoice\\u{202e}gpj.md: not a file\\u{1b}[2J',
    });
    const done = notificationFor({ type: 'job', jobId: 'j', status: 'done' }, 'x'.repeat(500));
    expect(done?.body.length).toBe(MAX_ERROR_CHARS);
  });
});

describe('quitConfirmation', () => {
  it('asks only while encodes run', () => {
    expect(quitConfirmation(0)).toBeNull();
    expect(quitConfirmation(1)?.message).toBe('A video is being encoded on this Mac. Quit anyway?');
    expect(quitConfirmation(3)?.message).toBe('3 videos are being encoded on this Mac. Quit anyway?');
  });
});

describe('alertNotifications', () => {
  const alert = (id: string, severity: Alert['severity'], message: string): Alert => ({
    id,
    severity,
    kind:
      severity === 'critical' ? 'queue-backlog' : severity === 'warning' ? 'long-render' : 'daily-summary',
    message,
    since: 0,
    details: {},
  });

  it('notifies each alert once while it lasts, and again if it comes back', () => {
    const backlog = alert(
      'queue-backlog',
      'critical',
      "12 tasks are waiting in the farm's queue (more than 10)",
    );
    const late = alert('long-render:t1', 'warning', 'a render of job 1a2b3c4d on mini has run for 31:00');
    const first = alertNotifications([backlog], new Set());
    expect(first.notifications).toEqual([
      { title: 'Farm alert', body: "12 tasks are waiting in the farm's queue (more than 10)" },
    ]);
    const second = alertNotifications([backlog, late], first.announced);
    expect(second.notifications).toEqual([
      { title: 'Farm warning', body: 'a render of job 1a2b3c4d on mini has run for 31:00' },
    ]);
    const quiet = alertNotifications([late], second.announced);
    expect(quiet.notifications).toEqual([]);
    expect(alertNotifications([backlog, late], quiet.announced).notifications.map((n) => n.title)).toEqual([
      'Farm alert',
    ]);
    expect(
      alertNotifications([alert('daily-summary:1', 'info', 'farm summary: 3 done')], new Set()).notifications,
    ).toEqual([{ title: 'Farm summary', body: 'farm summary: 3 done' }]);
  });

  // Found by attacking the UI's data: a coordinator's 1,000 new alerts were 1,000 notifications.
  it('raises a few notifications for a flood of new alerts, and one for the rest', () => {
    const flood = Array.from({ length: 1000 }, (_, i) => alert(`a${i}`, 'critical', `call IT ${i}`));
    const { notifications } = alertNotifications(flood, new Set());
    expect(notifications).toHaveLength(MAX_ALERT_NOTIFICATIONS);
    expect(notifications.at(-1)).toEqual({
      title: 'Farm alerts',
      body: '998 more alerts: see the Farm view',
    });
  });
});

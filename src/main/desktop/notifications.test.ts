import { describe, expect, it } from 'vitest';
import type { ImportOutcome, ScriptCheck } from '../../shared/contract.ts';
import {
  importProblemsNotification,
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

describe('quitConfirmation', () => {
  it('asks only while encodes run', () => {
    expect(quitConfirmation(0)).toBeNull();
    expect(quitConfirmation(1)?.message).toBe('A video is being encoded on this Mac. Quit anyway?');
    expect(quitConfirmation(3)?.message).toBe('3 videos are being encoded on this Mac. Quit anyway?');
  });
});

import { describe, expect, it } from 'vitest';
import type { JobSummary, StepSummary } from '../../../shared/contract.ts';
import { applyJobEvent, canRerun, firstFailedStep, jobProgress, jobRate } from './job-events.ts';

const step = (key: string, change: Partial<StepSummary> = {}): StepSummary => ({
  key,
  kind: `kind.${key}`,
  status: 'pending',
  reused: false,
  attempts: 0,
  progress: 0,
  error: null,
  errorKind: null,
  startedAt: null,
  completedAt: null,
  ...change,
});

const job = (change: Partial<JobSummary> = {}): JobSummary => ({
  id: 'j1',
  title: 'Welcome',
  status: 'running',
  priority: 0,
  recipe: { slug: 'narrated-16x9', version: 1 },
  output: null,
  error: null,
  warnings: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  steps: [step('script', { status: 'done', progress: 1 }), step('narration'), step('video')],
  ...change,
});

describe('the rate of a running encode', () => {
  it('keeps fps, speed and ETA from progress events on the step, and the job shows its encode’s', () => {
    const encoding = applyJobEvent(job(), {
      type: 'progress',
      jobId: 'j1',
      stepKey: 'video',
      fraction: 0.45,
      fps: 87,
      speed: 2.1,
      etaMs: 32_000,
    });
    expect(encoding.steps[2]).toMatchObject({
      status: 'running',
      progress: 0.45,
      rate: { fps: 87, speed: 2.1, etaMs: 32_000 },
    });
    expect(jobRate(encoding)).toEqual({ fps: 87, speed: 2.1, etaMs: 32_000 });
    // A progress without a rate (ffmpeg has not measured one yet) shows none, not a stale one.
    const unmeasured = applyJobEvent(encoding, {
      type: 'progress',
      jobId: 'j1',
      stepKey: 'video',
      fraction: 0.5,
    });
    expect(unmeasured.steps[2]?.rate).toBeUndefined();
    // A finished step has no rate; a job that is not running has no ETA.
    const done = applyJobEvent(encoding, { type: 'step', jobId: 'j1', stepKey: 'video', status: 'done' });
    expect(done.steps[2]?.rate).toBeUndefined();
    expect(jobRate(done)).toBeUndefined();
    expect(jobRate({ ...encoding, status: 'failed' })).toBeUndefined();
  });
});

describe('applyJobEvent', () => {
  it('ignores events of other jobs (same object back)', () => {
    const before = job();
    expect(applyJobEvent(before, { type: 'job', jobId: 'other', status: 'done' })).toBe(before);
  });

  it('sets the job status, its error when failed and its output when done', () => {
    const failed = applyJobEvent(job(), {
      type: 'job',
      jobId: 'j1',
      status: 'failed',
      error: 'ffmpeg exited 1',
    });
    expect(failed).toMatchObject({ status: 'failed', error: 'ffmpeg exited 1' });
    const done = applyJobEvent(failed, {
      type: 'job',
      jobId: 'j1',
      status: 'done',
      outputPath: '/v/welcome.mp4',
    });
    expect(done).toMatchObject({ status: 'done', error: null, output: '/v/welcome.mp4' });
  });

  it('updates one step: status, reuse, error; progress resets on start and fills on done', () => {
    let current = applyJobEvent(job(), {
      type: 'progress',
      jobId: 'j1',
      stepKey: 'narration',
      fraction: 0.4,
    });
    expect(current.steps[1]).toMatchObject({ status: 'running', progress: 0.4 });
    current = applyJobEvent(current, {
      type: 'step',
      jobId: 'j1',
      stepKey: 'narration',
      status: 'failed',
      error: 'boom',
    });
    expect(current.steps[1]).toMatchObject({ status: 'failed', error: 'boom', progress: 0.4 });
    current = applyJobEvent(current, { type: 'step', jobId: 'j1', stepKey: 'narration', status: 'running' });
    expect(current.steps[1]).toMatchObject({ status: 'running', error: null, progress: 0 });
    current = applyJobEvent(current, {
      type: 'step',
      jobId: 'j1',
      stepKey: 'narration',
      status: 'done',
      reused: true,
    });
    expect(current.steps[1]).toMatchObject({ status: 'done', reused: true, progress: 1 });
  });

  it('leaves the other steps untouched and ignores unknown step keys', () => {
    const before = job();
    const after = applyJobEvent(before, { type: 'step', jobId: 'j1', stepKey: 'video', status: 'running' });
    expect(after.steps[0]).toBe(before.steps[0]);
    expect(applyJobEvent(before, { type: 'step', jobId: 'j1', stepKey: 'nope', status: 'done' })).toBe(
      before,
    );
  });

  it('clamps progress and adds each warning once', () => {
    const clamped = applyJobEvent(job(), { type: 'progress', jobId: 'j1', stepKey: 'video', fraction: 1.7 });
    expect(clamped.steps[2]?.progress).toBe(1);
    const warned = applyJobEvent(job(), { type: 'warning', jobId: 'j1', message: 'offline voice used' });
    expect(warned.warnings).toEqual(['offline voice used']);
    expect(applyJobEvent(warned, { type: 'warning', jobId: 'j1', message: 'offline voice used' })).toBe(
      warned,
    );
  });
});

describe('job helpers', () => {
  it('measures progress with equal weight per step', () => {
    expect(jobProgress(job())).toBeCloseTo(1 / 3);
    const halfway = job({
      steps: [step('a', { status: 'done' }), step('b', { status: 'running', progress: 0.5 })],
    });
    expect(jobProgress(halfway)).toBeCloseTo(0.75);
    expect(jobProgress(job({ steps: [], status: 'done' }))).toBe(1);
  });

  it('finds the failed step and allows re-runs only when the job is at rest', () => {
    const failed = job({
      status: 'failed',
      steps: [step('script', { status: 'done' }), step('video', { status: 'failed' })],
    });
    expect(firstFailedStep(failed)?.key).toBe('video');
    expect(canRerun(failed)).toBe(true);
    expect(canRerun(job({ status: 'running' }))).toBe(false);
    expect(canRerun(job({ status: 'queued' }))).toBe(false);
  });
});

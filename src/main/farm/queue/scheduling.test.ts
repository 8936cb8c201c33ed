import { describe, expect, it } from 'vitest';
import { queueKit, taskIdOf, taskInput, workerInfo } from './farm-queue.fixture.ts';
import type { Assignment } from './types.ts';

const names = (assignments: Assignment[]) => assignments.map((a) => a.task.jobId.replace('job-', ''));
const placement = (assignments: Assignment[]) =>
  Object.fromEntries(assignments.map((a) => [a.task.jobId.replace('job-', ''), a.worker.id]));

describe('FarmQueue.schedule: order', () => {
  it('runs higher priority first, then older first', () => {
    const { queue, clock } = queueKit();
    queue.submit(taskInput('low', { priority: 1 }));
    clock.advance(10);
    queue.submit(taskInput('high', { priority: 5 }));
    clock.advance(10);
    queue.submit(taskInput('mid-new', { priority: 3 }));
    queue.submit(taskInput('mid-old', { priority: 3, createdAt: 1 }));
    queue.registerWorker(workerInfo('w1'));
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const [assignment] = queue.schedule();
      order.push(...names(assignment ? [assignment] : []));
      queue.complete(assignment?.lease.id as string);
    }
    expect(order).toEqual(['high', 'mid-old', 'mid-new', 'low']);
  });
});

describe('FarmQueue.schedule: worker choice', () => {
  it('gives a task only to a worker with one of its encoders', () => {
    const { queue } = queueKit();
    queue.registerWorker(
      workerInfo('mac', { encoders: ['h264_videotoolbox', 'hevc_videotoolbox'], maxConcurrency: 4 }),
    );
    queue.registerWorker(workerInfo('linux', { encoders: ['libx264'], maxConcurrency: 4 }));
    queue.submit(taskInput('hevc', { requirements: { encoders: ['hevc_videotoolbox'] } }));
    queue.submit(taskInput('either', { requirements: { encoders: ['libx264', 'h264_videotoolbox'] } }));
    queue.submit(taskInput('x264', { requirements: { encoders: ['libx264'] } }));
    queue.submit(taskInput('anything', { requirements: { encoders: [] } }));
    queue.submit(taskInput('av1', { requirements: { encoders: ['libsvtav1'] } }));
    const placed = placement(queue.schedule());
    expect(placed.hevc).toBe('mac');
    expect(placed.x264).toBe('linux');
    expect(['mac', 'linux']).toContain(placed.either);
    expect(['mac', 'linux']).toContain(placed.anything);
    expect(placed.av1).toBeUndefined();
    expect(queue.getTask(taskIdOf('av1'))?.status).toBe('queued');
  });

  it('spreads work to the least loaded worker: most free slots, then fewest leases, then id', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('b', { maxConcurrency: 2 }));
    queue.registerWorker(workerInfo('a', { maxConcurrency: 2 }));
    queue.registerWorker(workerInfo('c', { maxConcurrency: 4 }));
    for (let i = 0; i < 6; i++) queue.submit(taskInput(i, { createdAt: i }));
    // c (4 free) takes 0 and 1; then a, b, c all have 2 free: a, b, then c (fewest leases wins ties first).
    const assignments = queue.schedule();
    expect(assignments.map((a) => a.worker.id)).toEqual(['c', 'c', 'a', 'b', 'c', 'a']);
    expect(queue.stats().workers).toEqual({ a: 2, b: 1, c: 3 });
  });

  it('never exceeds a worker’s concurrency, whatever free slots it reports', () => {
    const { queue, clock } = queueKit();
    queue.registerWorker(workerInfo('w1', { maxConcurrency: 2 }));
    for (let i = 0; i < 5; i++) queue.submit(taskInput(i));
    const granted = queue.schedule();
    expect(granted).toHaveLength(2);
    clock.advance(1000);
    const leases = granted.map((a) => ({ leaseId: a.lease.id }));
    queue.heartbeat('w1', { freeSlots: 200, leases });
    expect(queue.schedule()).toEqual([]);
    // A worker busy with other work reports fewer free slots than its concurrency allows.
    queue.complete(granted[0]?.lease.id as string);
    queue.heartbeat('w1', { freeSlots: 0, leases: leases.slice(1) });
    expect(queue.schedule()).toEqual([]);
    queue.heartbeat('w1', { freeSlots: 1, leases: leases.slice(1) });
    expect(queue.schedule()).toHaveLength(1);
  });

  it('counts a lease granted after the worker sent its heartbeat against its free slots', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('w1', { maxConcurrency: 3 }));
    queue.submit(taskInput('a'));
    expect(queue.schedule()).toHaveLength(1);
    // This heartbeat left the worker before lease a reached it: 2 free (a third slot is busy elsewhere).
    queue.heartbeat('w1', { freeSlots: 2, leases: [] });
    queue.submit(taskInput('b'));
    queue.submit(taskInput('c'));
    expect(queue.schedule()).toHaveLength(1);
    expect(queue.worker('w1')?.running).toHaveLength(2);
  });

  it('breaks a tie in free slots by fewest leases before id', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('a', { maxConcurrency: 4 }));
    queue.registerWorker(workerInfo('b', { maxConcurrency: 2 }));
    queue.submit(taskInput(1, { createdAt: 1 }));
    queue.submit(taskInput(2, { createdAt: 2 }));
    expect(queue.schedule().map((x) => x.worker.id)).toEqual(['a', 'a']);
    // a: 2 free, 2 leases; b: 2 free, none.
    queue.submit(taskInput(3));
    expect(queue.schedule().map((x) => x.worker.id)).toEqual(['b']);
  });

  it('does not give a job’s task again to a worker that failed 3 of its tasks while another capable worker exists', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('a', { maxConcurrency: 2 }));
    queue.registerWorker(workerInfo('b'));
    queue.submit(taskInput('t'));
    for (let i = 0; i < 3; i++) {
      const [assignment] = queue.schedule();
      expect(assignment?.worker.id).toBe('a');
      queue.fail(assignment?.lease.id as string, 'VideoToolbox error', { retryable: true });
    }
    // a has more free slots, but failed 3 of job t's tasks: b gets it.
    queue.submit(taskInput('busy-b-later'));
    const placed = placement(queue.schedule());
    expect(placed.t).toBe('b');
    expect(placed['busy-b-later']).toBe('a');
  });

  it('lets a blocked job wait for its other worker without blocking the tasks behind it', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('a'));
    queue.registerWorker(workerInfo('b'));
    queue.submit(taskInput('t', { priority: 10 }));
    queue.submit(taskInput('filler'));
    expect(placement(queue.schedule())).toEqual({ t: 'a', filler: 'b' });
    for (let i = 0; i < 3; i++) {
      const t = queue.getTask(taskIdOf('t'));
      queue.fail(t?.lease?.id as string, 'VideoToolbox error', { retryable: true });
      if (i < 2) expect(placement(queue.schedule())).toEqual({ t: 'a' });
    }
    queue.submit(taskInput('next', { priority: 1 }));
    // a is free but blocked for job t; b (capable, not blocked) is busy: t waits, `next` runs on a.
    expect(placement(queue.schedule())).toEqual({ next: 'a' });
    expect(queue.getTask(taskIdOf('t'))?.status).toBe('queued');
    queue.complete(queue.getTask(taskIdOf('filler'))?.lease?.id as string);
    expect(placement(queue.schedule())).toEqual({ t: 'b' });
  });

  it('gives the task back to the only capable worker while it is under the job’s limit, up to the attempt limit', () => {
    const { queue } = queueKit({ maxAttempts: 5, jobFailureLimit: () => 10 });
    queue.registerWorker(workerInfo('only'));
    queue.registerWorker(workerInfo('mac', { encoders: ['h264_videotoolbox'] }));
    queue.submit(taskInput('t'));
    const workers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [assignment] = queue.schedule();
      workers.push(assignment?.worker.id as string);
      queue.fail(assignment?.lease.id as string, 'crash', { retryable: true });
    }
    expect(workers).toEqual(['only', 'only', 'only', 'only', 'only']);
    expect(queue.getTask(taskIdOf('t'))).toMatchObject({
      status: 'failed',
      lastError: /gave up after 5 attempts/,
    });
  });

  it('fails the job once its only capable worker is blocked for it, with that reason, before the attempts run out', () => {
    const { queue } = queueKit({ maxAttempts: 5, blockCheckGraceMs: 0 });
    queue.registerWorker(workerInfo('only'));
    queue.registerWorker(workerInfo('mac', { encoders: ['h264_videotoolbox'] }));
    queue.submit(taskInput('t'));
    const workers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [assignment] = queue.schedule();
      workers.push(assignment?.worker.id as string);
      queue.fail(assignment?.lease.id as string, `encoder crashed ${i + 1}`, { retryable: true });
    }
    expect(workers).toEqual(['only', 'only', 'only']);
    expect(queue.getTask(taskIdOf('t'))).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: /every capable worker is blocked for this job \(only: .*last error: encoder crashed 3/,
    });
    expect(queue.takeFailed()).toEqual([taskIdOf('t')]);
    expect(queue.takeFailed()).toEqual([]);
    expect(queue.view().blocks).toMatchObject([{ workerId: 'only', jobId: 'job-t', failures: 3 }]);
  });
});

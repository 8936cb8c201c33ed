import { describe, expect, it } from 'vitest';
import { queueKit, taskIdOf, taskInput, workerInfo } from './farm-queue.fixture.ts';
import { FarmInputError } from './schemas.ts';

describe('FarmQueue: submissions', () => {
  it('is idempotent by task id, and a done task stays done', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    const first = queue.submit(taskInput('a'));
    expect(queue.submit(taskInput('a', { priority: 9 }))).toEqual(first);
    expect(queue.stats()).toMatchObject({ queued: 1, running: 0 });

    const [assignment] = queue.schedule();
    expect(queue.complete(assignment?.lease.id as string)).toBe('accepted');
    const again = queue.submit(taskInput('a'));
    expect(again.status).toBe('done');
    expect(queue.schedule()).toEqual([]);
    expect(queue.stats()).toMatchObject({ queued: 0, running: 0, done: 1 });
  });

  it('refuses malformed tasks', () => {
    const { queue } = queueKit();
    expect(() => queue.submit({ ...taskInput('a'), id: '../../etc/passwd' })).toThrow(FarmInputError);
    expect(() => queue.submit({ ...taskInput('a'), plan: undefined })).toThrow(/plan/);
    expect(() => queue.submit({ ...taskInput('a'), originUrl: 'file:///x' })).toThrow(/originUrl/);
    expect(queue.stats().queued).toBe(0);
  });

  it('follows an origin that moved to another address', () => {
    const { queue } = queueKit();
    queue.submit(taskInput('a'));
    const moved = queue.submit(taskInput('a', { originUrl: 'http://10.0.0.9:8888' }));
    expect(moved.originUrl).toBe('http://10.0.0.9:8888');
    expect(queue.getTask(taskIdOf('a'))?.originUrl).toBe('http://10.0.0.9:8888');
  });
});

describe('FarmQueue: leases', () => {
  it('fences results: after an expiry and a new lease, the old lease cannot complete the task', () => {
    const { queue, clock } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    queue.submit(taskInput('a'));
    const [first] = queue.schedule();
    expect(first?.worker.id).toBe('w1');

    // w1 goes silent; w2 joins and keeps heartbeating.
    queue.registerWorker(workerInfo('w2'));
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      queue.heartbeat('w2', { freeSlots: 1, leases: [] });
      expect(queue.expire()).toHaveLength(i < 4 ? 0 : 1);
    }
    expect(queue.getTask(taskIdOf('a'))).toMatchObject({ status: 'queued', attempts: 1 });
    const [second] = queue.schedule();
    expect(second?.worker.id).toBe('w2');
    expect(second?.lease.id).not.toBe(first?.lease.id);

    expect(queue.complete(first?.lease.id as string)).toBe('stale');
    expect(queue.getTask(taskIdOf('a'))?.status).toBe('leased');
    expect(queue.complete(second?.lease.id as string)).toBe('accepted');
    // The origin may repeat a completion whose answer it lost; the stale lease stays refused.
    expect(queue.complete(second?.lease.id as string)).toBe('accepted');
    expect(queue.complete(first?.lease.id as string)).toBe('stale');
    expect(queue.stats()).toMatchObject({ done: 1, queued: 0, running: 0 });
  });

  it('keeps a lease alive past the timeout while heartbeats renew it, and expires it 5 s after the last one', () => {
    const { queue, clock } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    queue.submit(taskInput('a'));
    const [assignment] = queue.schedule();
    const leaseId = assignment?.lease.id as string;
    for (let second = 1; second <= 12; second++) {
      clock.advance(1000);
      expect(
        queue.heartbeat('w1', { freeSlots: 0, leases: [{ leaseId, progress: second / 20 }] }).cancel,
      ).toEqual([]);
      expect(queue.expire()).toEqual([]);
    }
    expect(queue.getTask(taskIdOf('a'))?.lease).toMatchObject({ id: leaseId, progress: 0.6 });
    clock.advance(4999);
    expect(queue.expire()).toEqual([]);
    clock.advance(1);
    expect(queue.expire().map((lease) => lease.id)).toEqual([leaseId]);
    expect(queue.getTask(taskIdOf('a'))).toMatchObject({ status: 'queued', failuresByWorker: { w1: 1 } });
    // The worker still reports it: it is told to stop.
    expect(queue.heartbeat('w1', { freeSlots: 0, leases: [{ leaseId }] }).cancel).toEqual([leaseId]);
  });

  it('tells a worker to stop leases that are not its own, without renewing them', () => {
    const { queue, clock } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    queue.registerWorker(workerInfo('w2'));
    queue.submit(taskInput('a'));
    const [assignment] = queue.schedule();
    const owner = assignment?.worker.id as string;
    const other = owner === 'w1' ? 'w2' : 'w1';
    const leaseId = assignment?.lease.id as string;
    const unknown = 'f'.repeat(32);
    clock.advance(3000);
    expect(
      queue.heartbeat(other, { freeSlots: 1, leases: [{ leaseId }, { leaseId: unknown }] }).cancel,
    ).toEqual([leaseId, unknown]);
    clock.advance(2000);
    expect(queue.expire().map((lease) => lease.id)).toEqual([leaseId]);
  });

  it('asks an unknown worker to register instead of cancelling its work', () => {
    const { queue } = queueKit();
    expect(queue.heartbeat('ghost', { freeSlots: 1, leases: [{ leaseId: 'a'.repeat(32) }] })).toEqual({
      cancel: [],
      unknownWorker: true,
    });
  });

  it('requeues a retryable failure (counted against the worker) and fails a fatal one for good', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('w1', { maxConcurrency: 2 }));
    queue.submit(taskInput('a'));
    queue.submit(taskInput('b'));
    const [a, b] = queue.schedule();
    expect(queue.fail(a?.lease.id as string, 'ffmpeg exited 1', { retryable: true })).toBe('requeued');
    expect(queue.getTask(a?.task.id as string)).toMatchObject({
      status: 'queued',
      attempts: 1,
      failuresByWorker: { w1: 1 },
      // The worker's words, named as its own (they reach the origin's job error).
      lastError: 'worker w1: ffmpeg exited 1',
    });
    expect(queue.fail(b?.lease.id as string, 'plan references a missing font', { retryable: false })).toBe(
      'failed',
    );
    expect(queue.getTask(b?.task.id as string)).toMatchObject({
      status: 'failed',
      lastError: /missing font/,
    });
    expect(queue.fail(b?.lease.id as string, 'again', { retryable: true })).toBe('stale');
    expect(queue.stats()).toMatchObject({ queued: 1, failed: 1 });
  });

  it('fails a task with a clear reason once it has used up its attempts', () => {
    // A per-job limit above the attempts: this is about the attempts alone.
    const { queue } = queueKit({ maxAttempts: 5, jobFailureLimit: () => 10 });
    queue.registerWorker(workerInfo('w1'));
    queue.submit(taskInput('a'));
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [assignment] = queue.schedule();
      outcomes.push(queue.fail(assignment?.lease.id as string, `crash ${i + 1}`, { retryable: true }));
    }
    expect(outcomes).toEqual(['requeued', 'requeued', 'requeued', 'requeued', 'failed']);
    expect(queue.getTask(taskIdOf('a'))).toMatchObject({
      status: 'failed',
      attempts: 5,
      lastError: 'gave up after 5 attempts; last: worker w1: crash 5',
    });
    expect(queue.schedule()).toEqual([]);
  });

  it('requeues a removed worker’s leases at once, and the old lease is stale', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    queue.submit(taskInput('a'));
    const [first] = queue.schedule();
    queue.registerWorker(workerInfo('w2'));
    expect(queue.removeWorker('w1').map((lease) => lease.id)).toEqual([first?.lease.id]);
    const [second] = queue.schedule();
    expect(second?.worker.id).toBe('w2');
    expect(queue.complete(first?.lease.id as string)).toBe('stale');
    expect(queue.stats().workers).toEqual({ w2: 1 });
  });

  it('retries a failed task on request with a clean slate', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    queue.submit(taskInput('a'));
    const [assignment] = queue.schedule();
    queue.fail(assignment?.lease.id as string, 'bad plan', { retryable: false });
    expect(queue.submit(taskInput('a')).status).toBe('failed');
    expect(queue.retry(taskIdOf('a'))).toMatchObject({ status: 'queued', attempts: 0, failuresByWorker: {} });
    expect(queue.schedule()).toHaveLength(1);
  });

  it('refills a slot as soon as a result is accepted, without waiting for a heartbeat', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    queue.submit(taskInput('a'));
    queue.submit(taskInput('b'));
    const [first] = queue.schedule();
    expect(queue.schedule()).toEqual([]);
    queue.complete(first?.lease.id as string);
    expect(queue.schedule().map((a) => a.task.id)).toEqual([taskIdOf('b')]);
  });
});

describe('FarmQueue: withdrawal by the origin', () => {
  it('stops a queued or leased task for its origin only; the worker is told to stop; a resubmission retries it', () => {
    const { queue } = queueKit();
    const origin = taskInput('a').originNodeId;
    queue.registerWorker(workerInfo('w1'));
    queue.submit(taskInput('a'));
    queue.submit(taskInput('b'));
    const [lease] = queue.schedule();
    expect(lease?.task.id).toBe(taskIdOf('a'));

    expect(queue.withdraw(taskIdOf('a'), 'someone-else')).toBe('refused');
    expect(queue.getTask(taskIdOf('a'))?.status).toBe('leased');
    expect(queue.withdraw(taskIdOf('a'), origin)).toBe('withdrawn');
    expect(queue.withdraw(taskIdOf('b'), origin)).toBe('withdrawn');
    expect(queue.getTask(taskIdOf('a'))).toMatchObject({
      status: 'failed',
      lastError: 'withdrawn by its origin',
    });
    expect(queue.withdraw(taskIdOf('a'), origin)).toBe('finished');
    expect(queue.withdraw(taskIdOf('zzz'), origin)).toBe('unknown');

    // The worker still encoding the withdrawn task hears it on its next heartbeat, and gets its slot back.
    const reply = queue.heartbeat('w1', { freeSlots: 0, leases: [{ leaseId: lease?.lease.id as string }] });
    expect(reply.cancel).toEqual([lease?.lease.id]);
    expect(queue.schedule()).toEqual([]);
    expect(queue.stats()).toMatchObject({ queued: 0, running: 0, failed: 2 });

    // The origin runs the job again: its submission of a withdrawn task is a retry.
    expect(queue.retry(taskIdOf('b'))?.status).toBe('queued');
    queue.heartbeat('w1', { freeSlots: 1, leases: [] });
    expect(queue.schedule().map((a) => a.task.id)).toEqual([taskIdOf('b')]);
  });
});

import { describe, expect, it } from 'vitest';
import { queueKit, taskIdOf, taskInput, workerInfo } from './farm-queue.fixture.ts';
import { MAX_UNFINISHED_PER_ORIGIN } from './farm-queue.ts';

const lease = (n: number) => n.toString(16).padStart(32, '0');

describe('FarmQueue.rebuild: a new coordinator', () => {
  it('keeps announced leases (renewed now) and queues the rest', () => {
    const { queue, clock } = queueKit();
    clock.advance(60_000);
    const result = queue.rebuild([
      { nodeId: 'origin-1', tasks: [taskInput('a'), taskInput('b'), taskInput('c')] },
      { nodeId: 'w1', leases: [{ leaseId: lease(1), taskId: taskIdOf('a'), workerId: 'w1' }] },
    ]);
    expect(result).toEqual({
      tasks: 3,
      leasesKept: 1,
      leasesPending: 0,
      leasesRefused: 0,
      dropped: 0,
    });
    expect(queue.getTask(taskIdOf('a'))).toMatchObject({
      status: 'leased',
      lease: { id: lease(1), workerId: 'w1', renewedAt: clock.now(), expiresAt: clock.now() + 5000 },
    });
    expect(queue.stats()).toMatchObject({ queued: 2, running: 1 });

    queue.registerWorker(workerInfo('w1', { maxConcurrency: 2 }));
    expect(queue.worker('w1')?.running).toEqual([lease(1)]);
    expect(queue.heartbeat('w1', { freeSlots: 1, leases: [{ leaseId: lease(1) }] }).cancel).toEqual([]);
    expect(queue.schedule()).toHaveLength(1);
    expect(queue.complete(lease(1))).toBe('accepted');
  });

  it('merges duplicate tasks by id (highest priority, oldest creation) and refuses a second lease on one task', () => {
    const { queue } = queueKit();
    const result = queue.rebuild([
      { nodeId: 'origin-1', tasks: [taskInput('a', { priority: 1, createdAt: 500 })] },
      { nodeId: 'origin-1', tasks: [taskInput('a', { priority: 7, createdAt: 100 })] },
      { nodeId: 'w1', leases: [{ leaseId: lease(1), taskId: taskIdOf('a'), workerId: 'w1' }] },
      { nodeId: 'w2', leases: [{ leaseId: lease(2), taskId: taskIdOf('a'), workerId: 'w2' }] },
    ]);
    expect(result).toMatchObject({ tasks: 1, leasesKept: 1, leasesRefused: 1 });
    expect(queue.getTask(taskIdOf('a'))).toMatchObject({
      priority: 7,
      createdAt: 100,
      lease: { id: lease(1) },
    });
    queue.registerWorker(workerInfo('w2'));
    expect(queue.heartbeat('w2', { freeSlots: 0, leases: [{ leaseId: lease(2) }] }).cancel).toEqual([
      lease(2),
    ]);
  });

  it('never reopens a done task, and refuses a node speaking for another node’s lease', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    queue.submit(taskInput('done'));
    const [assignment] = queue.schedule();
    queue.complete(assignment?.lease.id as string);
    const result = queue.rebuild([
      { nodeId: 'origin-1', tasks: [taskInput('done'), taskInput('b')] },
      { nodeId: 'w1', leases: [{ leaseId: lease(1), taskId: taskIdOf('done'), workerId: 'w1' }] },
      { nodeId: 'w1', leases: [{ leaseId: lease(2), taskId: taskIdOf('b'), workerId: 'w9' }] },
    ]);
    expect(result).toMatchObject({ tasks: 1, leasesKept: 0, leasesRefused: 2 });
    expect(queue.getTask(taskIdOf('done'))?.status).toBe('done');
    expect(queue.getTask(taskIdOf('b'))?.status).toBe('queued');
  });

  // Found by partitioning a farm: a task failed for good while its origin was cut off, the notice to it
  // was lost, and after a coordinator change its job waited for ever.
  it('runs again a task its origin announces though it failed here, and reopens nothing of another', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    queue.submit(taskInput('lost'));
    const [assignment] = queue.schedule();
    queue.fail(assignment?.lease.id as string, 'cannot reach the origin', { retryable: false });
    expect(queue.getTask(taskIdOf('lost'))?.status).toBe('failed');
    // Another node naming the task changes nothing.
    queue.announce({ nodeId: 'origin-2', tasks: [taskInput('lost', { originNodeId: 'origin-2' })] });
    expect(queue.getTask(taskIdOf('lost'))?.status).toBe('failed');
    queue.announce({ nodeId: 'origin-1', tasks: [taskInput('lost')] });
    expect(queue.getTask(taskIdOf('lost'))).toMatchObject({
      status: 'queued',
      attempts: 0,
      failuresByWorker: {},
    });
    expect(queue.schedule()).toHaveLength(1);
  });

  // Found in review: a key holder submitting or announcing without end grew the queue without bound.
  it('takes at most MAX_UNFINISHED_PER_ORIGIN unfinished tasks of one origin, by submission or announcement', () => {
    const { queue } = queueKit();
    const many = Array.from({ length: MAX_UNFINISHED_PER_ORIGIN + 10 }, (_, i) => taskInput(i));
    queue.announce({ nodeId: 'origin-1', tasks: many });
    expect(queue.stats().queued).toBe(MAX_UNFINISHED_PER_ORIGIN);
    expect(queue.hasRoomFor('origin-1')).toBe(false);
    expect(queue.hasRoomFor('origin-2')).toBe(true);
    // Announced again, nothing more is taken; one finishing makes room for one.
    queue.announce({ nodeId: 'origin-1', tasks: many });
    expect(queue.stats().queued).toBe(MAX_UNFINISHED_PER_ORIGIN);
    expect(queue.withdraw(taskIdOf(0), 'origin-1')).toBe('withdrawn');
    expect(queue.hasRoomFor('origin-1')).toBe(true);
  });

  it('requeues known leases nobody announced and forgets unfinished tasks no origin announced', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('w1', { maxConcurrency: 2 }));
    queue.submit(taskInput('kept'));
    queue.submit(taskInput('orphan'));
    const old = queue.schedule();
    expect(old).toHaveLength(2);
    const result = queue.rebuild([{ nodeId: 'origin-1', tasks: [taskInput('kept')] }]);
    expect(result).toMatchObject({ tasks: 1, dropped: 1 });
    expect(queue.getTask(taskIdOf('orphan'))).toBeUndefined();
    expect(queue.getTask(taskIdOf('kept'))).toMatchObject({ status: 'queued', attempts: 0 });
    for (const { lease: stale } of old) expect(queue.complete(stale.id)).toBe('stale');
  });

  it('holds a lease announced before its task for one lease timeout, then attaches it', () => {
    const { queue, clock } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    const early = queue.rebuild([
      { nodeId: 'w1', leases: [{ leaseId: lease(1), taskId: taskIdOf('a'), workerId: 'w1' }] },
    ]);
    expect(early).toMatchObject({ leasesPending: 1, tasks: 0 });
    clock.advance(3000);
    expect(queue.heartbeat('w1', { freeSlots: 0, leases: [{ leaseId: lease(1) }] }).cancel).toEqual([]);
    clock.advance(3000);
    queue.expire();
    const late = queue.announce({ nodeId: 'origin-1', tasks: [taskInput('a')] });
    expect(late).toMatchObject({ leasesKept: 1, tasks: 1 });
    expect(queue.getTask(taskIdOf('a'))).toMatchObject({
      status: 'leased',
      lease: { id: lease(1), workerId: 'w1' },
    });
    expect(queue.complete(lease(1))).toBe('accepted');
  });

  it('adopts a pending lease when the origin re-submits instead of announcing', () => {
    const { queue } = queueKit();
    queue.announce({ nodeId: 'w1', leases: [{ leaseId: lease(3), taskId: taskIdOf('a'), workerId: 'w1' }] });
    expect(queue.submit(taskInput('a'))).toMatchObject({ status: 'leased', lease: { id: lease(3) } });
  });

  it('cancels a pending lease whose task nobody announced within the lease timeout', () => {
    const { queue, clock } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    queue.rebuild([{ nodeId: 'w1', leases: [{ leaseId: lease(1), taskId: taskIdOf('a'), workerId: 'w1' }] }]);
    clock.advance(5000);
    queue.expire();
    expect(queue.heartbeat('w1', { freeSlots: 0, leases: [{ leaseId: lease(1) }] }).cancel).toEqual([
      lease(1),
    ]);
    queue.announce({ nodeId: 'origin-1', tasks: [taskInput('a')] });
    expect(queue.getTask(taskIdOf('a'))?.status).toBe('queued');
  });

  it('merges a late announcement without forgetting what is already queued', () => {
    const { queue } = queueKit();
    queue.rebuild([{ nodeId: 'origin-1', tasks: [taskInput('a')] }]);
    const result = queue.announce({
      nodeId: 'origin-2',
      tasks: [taskInput('b', { originNodeId: 'origin-2' })],
    });
    expect(result).toMatchObject({ tasks: 2, dropped: 0 });
    expect(queue.stats().queued).toBe(2);
  });

  // Found by attacking a farm with the key: after the term's start, an announced lease on another
  // origin's queued task was kept (the task held outside the scheduler, then failed by its "worker"),
  // and an announcement or a submission of another origin's task id moved its address.
  it('takes on unknown leases only in the term’s first three lease timeouts, each term again', () => {
    const { queue, clock } = queueKit();
    queue.rebuild([{ nodeId: 'origin-1', tasks: [taskInput('a'), taskInput('b')] }]);
    clock.advance(15_000);
    expect(
      queue.announce({
        nodeId: 'w1',
        leases: [{ leaseId: lease(1), taskId: taskIdOf('a'), workerId: 'w1' }],
      }),
    ).toMatchObject({ leasesKept: 1 });
    clock.advance(1);
    const late = queue.announce({
      nodeId: 'w9',
      leases: [
        { leaseId: lease(2), taskId: taskIdOf('b'), workerId: 'w9' },
        { leaseId: lease(3), taskId: taskIdOf('unknown'), workerId: 'w9' },
      ],
    });
    expect(late).toMatchObject({ leasesKept: 0, leasesPending: 0, leasesRefused: 2 });
    expect(queue.getTask(taskIdOf('b'))?.status).toBe('queued');
    // A lease it holds is still kept when its worker announces it again.
    expect(
      queue.announce({
        nodeId: 'w1',
        leases: [{ leaseId: lease(1), taskId: taskIdOf('a'), workerId: 'w1' }],
      }),
    ).toMatchObject({ leasesKept: 1, leasesRefused: 0 });
    // This node steps down and is elected again: a new term, whose first lease timeouts adopt again.
    clock.advance(60_000);
    queue.beginTerm();
    clock.advance(10_000);
    expect(
      queue.announce({
        nodeId: 'w9',
        leases: [{ leaseId: lease(2), taskId: taskIdOf('b'), workerId: 'w9' }],
      }),
    ).toMatchObject({ leasesKept: 1 });
  });

  it('a task id stays its origin’s: another node announcing or submitting it changes nothing', () => {
    const { queue } = queueKit();
    queue.rebuild([{ nodeId: 'origin-1', tasks: [taskInput('a')] }]);
    const elsewhere = { originNodeId: 'origin-2', originUrl: 'http://127.0.0.1:9' };
    queue.announce({ nodeId: 'origin-2', tasks: [taskInput('a', elsewhere)] });
    queue.submit(taskInput('a', elsewhere));
    expect(queue.getTask(taskIdOf('a'))).toMatchObject({
      originNodeId: 'origin-1',
      originUrl: 'http://10.0.0.1:7777',
    });
  });

  // Found by attacking the farm: a key holder's task claiming to be from 1970 went before every other
  // task of its priority.
  it('believes a task’s age only within the week the farm keeps tasks, and never from the future', () => {
    const { queue, clock } = queueKit();
    const WEEK = 7 * 24 * 60 * 60 * 1000;
    clock.set(30 * 24 * 60 * 60 * 1000);
    expect(queue.submit(taskInput('old', { createdAt: 0 })).createdAt).toBe(clock.now() - WEEK);
    expect(queue.submit(taskInput('new', { createdAt: clock.now() + WEEK })).createdAt).toBe(clock.now());
    expect(queue.submit(taskInput('day', { createdAt: clock.now() - 86_400_000 })).createdAt).toBe(
      clock.now() - 86_400_000,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { queueKit, taskIdOf, taskInput, workerInfo } from './farm-queue.fixture.ts';

describe('FarmQueue: pause, drain, silence', () => {
  it('gives a paused worker nothing until it is resumed, and keeps the pause across re-registration', () => {
    const { queue } = queueKit();
    queue.registerWorker(workerInfo('w1'));
    expect(queue.pauseWorker('w1')).toBe(true);
    expect(queue.pauseWorker('nobody')).toBe(false);
    queue.submit(taskInput('a'));
    expect(queue.schedule()).toEqual([]);
    queue.registerWorker(workerInfo('w1'));
    expect(queue.worker('w1')?.paused).toBe(true);
    expect(queue.schedule()).toEqual([]);
    queue.resumeWorker('w1');
    expect(queue.schedule().map((a) => a.worker.id)).toEqual(['w1']);
  });

  it('lets a draining worker finish and renew what it runs, but grants it nothing new', () => {
    const { queue, clock } = queueKit();
    queue.registerWorker(workerInfo('w1', { maxConcurrency: 2 }));
    queue.submit(taskInput('a'));
    const [running] = queue.schedule();
    queue.drainWorker('w1');
    queue.submit(taskInput('b'));
    for (let i = 0; i < 7; i++) {
      clock.advance(1000);
      queue.heartbeat('w1', { freeSlots: 1, leases: [{ leaseId: running?.lease.id as string }] });
      expect(queue.tick()).toEqual({ expired: [], assignments: [] });
    }
    expect(queue.complete(running?.lease.id as string)).toBe('accepted');
    expect(queue.schedule()).toEqual([]);
    expect(queue.getTask(taskIdOf('b'))?.status).toBe('queued');
    expect(queue.worker('w1')?.draining).toBe(true);
  });

  it('grants nothing to a worker that has not been heard from for 3 s', () => {
    const { queue, clock } = queueKit();
    queue.registerWorker(workerInfo('silent'));
    queue.registerWorker(workerInfo('alive', { maxConcurrency: 1 }));
    clock.advance(3001);
    queue.heartbeat('alive', { freeSlots: 1, leases: [] });
    queue.submit(taskInput('a'));
    queue.submit(taskInput('b'));
    expect(queue.schedule().map((a) => a.worker.id)).toEqual(['alive']);
    queue.heartbeat('silent', { freeSlots: 1, leases: [] });
    expect(queue.schedule().map((a) => a.worker.id)).toEqual(['silent']);
  });
});

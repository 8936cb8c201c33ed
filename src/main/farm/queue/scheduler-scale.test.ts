import { describe, expect, it } from 'vitest';
import { queueKit, taskInput, workerInfo } from './farm-queue.fixture.ts';

const ENCODERS = ['libx264', 'h264_videotoolbox', 'hevc_videotoolbox'];

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

describe('FarmQueue.schedule at scale', () => {
  it('handles 10k queued tasks on 100 workers without walking the backlog', () => {
    const { queue } = queueKit();
    for (let w = 0; w < 100; w++) queue.registerWorker(workerInfo(`w${w}`, { maxConcurrency: 2 }));
    // 10k high-priority tasks nobody can encode sit in front of the work that can run.
    for (let i = 0; i < 10_000; i++) {
      queue.submit(taskInput(`av1-${i}`, { priority: 10, requirements: { encoders: ['libsvtav1'] } }));
    }
    for (let i = 0; i < 10_000; i++) queue.submit(taskInput(`x264-${i}`, { createdAt: i }));

    let started = performance.now();
    const first = queue.schedule();
    const fullPass = performance.now() - started;
    expect(first).toHaveLength(200);
    expect(first[0]?.task.jobId).toBe('job-x264-0');
    expect(new Set(first.map((a) => a.worker.id)).size).toBe(100);

    started = performance.now();
    for (let i = 0; i < 100; i++) expect(queue.schedule()).toEqual([]);
    const emptyPasses = (performance.now() - started) / 100;
    // Generous bounds (a loaded CI machine), still far below a pass that visits 20k tasks per call.
    expect(fullPass).toBeLessThan(250);
    expect(emptyPasses).toBeLessThan(5);
    expect(queue.stats()).toMatchObject({ queued: 19_800, running: 200 });
  });

  it('keeps its invariants through a random mix of operations', () => {
    const random = seeded(42);
    const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(random() * list.length)];
    const { queue, clock } = queueKit({ maxAttempts: 4 });
    const workers = Array.from({ length: 8 }, (_, i) => `w${i}`);
    for (const id of workers) {
      const encoders = [pick(ENCODERS) as string];
      queue.registerWorker(workerInfo(id, { maxConcurrency: 1 + Math.floor(random() * 3), encoders }));
    }
    const inputs = Array.from({ length: 300 }, (_, i) =>
      taskInput(i, { requirements: { encoders: [pick(ENCODERS) as string] } }),
    );
    const taskOfLease = new Map<string, string>();
    const completedTasks = new Set<string>();
    for (let step = 0; step < 3000; step++) {
      clock.advance(Math.floor(random() * 400));
      const roll = random();
      // Mostly current leases; sometimes any lease ever granted, to exercise fencing.
      const live = queue.listWorkers().flatMap((worker) => worker.running);
      const leaseId = random() < 0.8 ? pick(live) : pick([...taskOfLease.keys()]);
      if (roll < 0.3) queue.submit(pick(inputs));
      else if (roll < 0.5 && leaseId) {
        if (
          queue.complete(leaseId) === 'accepted' &&
          !completedTasks.has(taskOfLease.get(leaseId) as string)
        ) {
          completedTasks.add(taskOfLease.get(leaseId) as string);
        } else expect(queue.getTask(taskOfLease.get(leaseId) as string)?.lease?.id).not.toBe(leaseId);
      } else if (roll < 0.6 && leaseId) queue.fail(leaseId, 'random failure', { retryable: random() < 0.9 });
      else if (roll < 0.9) {
        const id = pick(workers) as string;
        const worker = queue.worker(id);
        const leases = (worker?.running ?? [])
          .filter(() => random() < 0.9)
          .map((lease) => ({ leaseId: lease }));
        queue.heartbeat(id, { freeSlots: worker?.maxConcurrency ?? 0, leases });
      }
      for (const { lease } of queue.tick().assignments) taskOfLease.set(lease.id, lease.taskId);
      for (const worker of queue.listWorkers())
        expect(worker.running.length).toBeLessThanOrEqual(worker.maxConcurrency);
      const stats = queue.stats();
      expect(Object.values(stats.workers).reduce((a, b) => a + b, 0)).toBe(stats.running);
      expect(stats.done).toBe(completedTasks.size);
    }
    expect(completedTasks.size).toBeGreaterThan(100);
  });
});

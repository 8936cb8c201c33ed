import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../bench/sim/farm-simulation.ts';
import { compareTasks, QueuedTaskIndex } from './queued-index.ts';
import { type Candidate, compareCandidates, isCapable, planAssignments } from './scheduler.ts';
import type { Task } from './types.ts';

const ENCODERS = ['libx264', 'h264_videotoolbox', 'hevc_videotoolbox', 'libsvtav1'];

/** The rule, spelled out the slow way: every task in order, each to the best worker that may take it. */
function reference(tasks: Task[], candidates: Candidate[], blocks: Map<string, Set<string>>) {
  const room = new Map(candidates.map((c) => [c.id, { ...c }]));
  const placed: { task: string; worker: string }[] = [];
  for (const task of [...tasks].sort(compareTasks)) {
    const blocked = blocks.get(task.jobId) ?? new Set<string>();
    const options = [...room.values()].filter(
      (w) => w.capacity > 0 && isCapable(w.encoders, task.requirements.encoders) && !blocked.has(w.id),
    );
    const best = options.sort(compareCandidates)[0];
    if (!best) continue;
    best.capacity--;
    best.running++;
    placed.push({ task: task.id, worker: best.id });
  }
  return placed;
}

describe('planAssignments', () => {
  it('places exactly what the rule says, on random farms', () => {
    const random = seededRandom(11);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
    for (let round = 0; round < 200; round++) {
      const registered: Candidate[] = Array.from({ length: 1 + Math.floor(random() * 12) }, (_, i) => ({
        id: `w${i}`,
        encoders: ENCODERS.filter(() => random() < 0.4),
        capacity: Math.floor(random() * 4),
        running: Math.floor(random() * 3),
      }));
      const candidates = registered.filter((w) => w.capacity > 0 && random() < 0.9);
      const tasks: Task[] = Array.from({ length: Math.floor(random() * 40) }, (_, i) => ({
        id: `t${String(i).padStart(3, '0')}`,
        originNodeId: 'o',
        originUrl: 'http://o',
        jobId: `j${i % 7}`,
        priority: Math.floor(random() * 3),
        createdAt: Math.floor(random() * 10),
        plan: {},
        requirements: { encoders: random() < 0.1 ? [] : ENCODERS.filter(() => random() < 0.35) },
        status: 'queued',
        attempts: 0,
        failuresByWorker: random() < 0.3 ? { [pick(registered).id]: 2, [pick(registered).id]: 1 } : {},
        updatedAt: 0,
      }));
      // Some jobs have workers blocked for them (job-blocks.ts).
      const blocks = new Map<string, Set<string>>();
      for (let j = 0; j < 7; j++) {
        if (random() < 0.3)
          blocks.set(`j${j}`, new Set(registered.filter(() => random() < 0.4).map((w) => w.id)));
      }
      const index = new QueuedTaskIndex();
      for (const task of tasks) index.add(task);
      const plan = planAssignments(index, candidates, { blockedFor: (task) => blocks.get(task.jobId) });
      const got = plan.map((p) => ({ task: p.task.id, worker: p.workerId }));
      expect(got).toEqual(reference(tasks, candidates, blocks));
      // Whatever was not placed is still queued, once.
      expect(index.size).toBe(tasks.length - plan.length);
    }
  });
});

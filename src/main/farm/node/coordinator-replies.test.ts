import { describe, expect, it } from 'vitest';
import { HistoryReplySchema, QueueReplySchema } from './coordinator-replies.ts';

const task = {
  id: 'a'.repeat(64),
  jobId: 'job-1',
  originNodeId: 'alpha',
  status: 'failed',
  priority: 0,
  createdAt: 1,
  attempts: 1,
  workerId: 'bravo',
  progress: null,
  lastError: 'worker bravo: ffmpeg exited 1',
  segment: null,
};
const queue = { queued: 1, running: 0, done: 3, failed: 1, tasks: [task], blocks: [], blockLimit: 3 };
const history = { coordinatorId: 'alpha', from: 1e12, to: 1e12 + 3600_000, samples: [], runs: [] };

// Found by attacking the UI's data: a coordinator's replies were cast, not checked, and a task id
// that was a number or a history ten million years long threw inside the Farm and Dashboard screens.
describe('what the coordinator answers, checked', () => {
  it('takes an honest queue and history', () => {
    expect(QueueReplySchema.safeParse(queue).success).toBe(true);
    expect(HistoryReplySchema.safeParse(history).success).toBe(true);
  });

  it('refuses the wrong types, counts that are no counts, huge texts and spans', () => {
    const bad = [
      { ...queue, tasks: [{ ...task, id: 7 }] },
      { ...queue, queued: 'lots' },
      { ...queue, running: -5 },
      { ...queue, failed: null },
      { ...queue, tasks: [{ ...task, lastError: 'x'.repeat(6_000_000) }] },
      { ...queue, tasks: Array.from({ length: 201 }, () => task) },
    ];
    for (const reply of bad) expect(QueueReplySchema.safeParse(reply).success).toBe(false);
    expect(HistoryReplySchema.safeParse({ ...history, to: 1e18 }).success).toBe(false);
    // A coordinator whose clock is behind this node's still answers.
    expect(HistoryReplySchema.safeParse({ ...history, to: history.from - 60_000 }).success).toBe(true);
    expect(HistoryReplySchema.safeParse({ ...history, from: Number.NaN }).success).toBe(false);
  });
});

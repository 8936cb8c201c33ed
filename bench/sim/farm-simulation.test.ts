import { describe, expect, it } from 'vitest';
import { FarmSimulation, SIM_EPOCH, type SimTask, seededRandom } from './farm-simulation.ts';

describe('FarmSimulation (virtual time, the real queue)', () => {
  it('keeps 10 single-slot workers busy: 200 tasks finish within 5% of the ideal makespan', () => {
    const random = seededRandom(2024);
    const tasks: SimTask[] = Array.from({ length: 200 }, (_, i) => ({
      name: `t${i}`,
      durationMs: Math.round(1000 + 2000 * random()),
    }));
    const sim = new FarmSimulation({ workers: 10, seed: 7 });
    sim.submitAt(SIM_EPOCH, tasks);
    expect(sim.runUntil(() => sim.completedAt.size === 200, SIM_EPOCH + 600_000)).toBe(true);
    const makespan = Math.max(...sim.completedAt.values()) - SIM_EPOCH;
    const total = tasks.reduce((sum, task) => sum + task.durationMs, 0);
    const ideal = Math.max(total / 10, ...tasks.map((task) => task.durationMs));
    expect(makespan / ideal).toBeLessThanOrEqual(1.05);
    expect(sim.starts).toHaveLength(200);
    expect(sim.queue.stats()).toMatchObject({ done: 200, queued: 0, running: 0 });
  });

  it('restarts a dead worker’s task elsewhere within 6 s, whatever the moment of death', () => {
    for (let phase = 0; phase < 10; phase++) {
      const sim = new FarmSimulation({ workers: 11, seed: phase + 1 });
      const tasks = Array.from({ length: 10 }, (_, i) => ({ name: `long${i}`, durationMs: 60_000 }));
      sim.submitAt(SIM_EPOCH, tasks);
      const deathAt = SIM_EPOCH + 10_000 + phase * 100;
      sim.runUntil(() => false, deathAt);
      const victim = sim.holderOf('long3') as string;
      sim.killAt(deathAt, victim);
      const restarted = () => sim.starts.find((s) => s.task === 'long3' && s.at > deathAt);
      expect(sim.runUntil(() => restarted() !== undefined, deathAt + 30_000)).toBe(true);
      const restart = restarted();
      expect(restart?.workerId).not.toBe(victim);
      expect((restart?.at as number) - deathAt).toBeLessThanOrEqual(6000);
      expect(sim.runUntil(() => sim.completedAt.size === 10, deathAt + 120_000)).toBe(true);
    }
  });
});

/**
 * Three real processes on loopback: they find each other over mDNS, agree on one coordinator, and elect
 * a new one within FARM.md's 5 s when it is killed -9. A fourth probe of another farm is only ignored.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProbeProcess } from './probe-process.ts';
import { agreedCoordinator, spawnProbe, waitForCoordinator } from './probe-process.ts';

const tag = randomBytes(3).toString('hex');
const farm = randomBytes(8).toString('hex');
const probes: ProbeProcess[] = [];

afterAll(async () => {
  await Promise.all(probes.map((p) => p.stop()));
});

describe('cluster probes (multi-process, loopback mDNS)', () => {
  it('discover each other, elect exactly one coordinator, replace it within 5 s of kill -9', async () => {
    // The outsider has the lowest id of all: if it were not ignored it would win the election.
    const outsider = spawnProbe({
      id: `0-${tag}`,
      name: `outsider-${tag}`,
      farm: randomBytes(8).toString('hex'),
    });
    const members = ['a', 'b', 'c'].map((letter) =>
      spawnProbe({ id: `${letter}-${tag}`, name: `probe-${letter}-${tag}`, farm }),
    );
    probes.push(outsider, ...members);
    await Promise.all(probes.map((p) => p.ready));
    const startedAt = Date.now();

    // Discovery + first hello answer from both other members, on every member.
    const upAt = await Promise.all(
      members.flatMap((member) =>
        members
          .filter((other) => other !== member)
          .map((other) => member.waitFor((l) => l.event === 'peer-up' && l.id === other.id, 5000)),
      ),
    );
    const discoveryMs = Math.max(...upAt.map((line) => line.at)) - startedAt;
    expect(discoveryMs).toBeLessThan(3000);

    const first = await waitForCoordinator(members, () => true, 8000);
    expect(first?.id).toBe(`a-${tag}`);
    // Still exactly one a moment later (no second claimant racing in).
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await agreedCoordinator(members))?.id).toBe(`a-${tag}`);

    for (const member of members) {
      const ignored = await member.waitFor(
        (l) => l.event === 'peer-ignored' && l.instance === `outsider-${tag}-0-${tag}`,
        3000,
      );
      expect(ignored.reason).toBe('other farm');
      expect(member.lines.some((l) => l.event === 'peer-up' && l.id === outsider.id)).toBe(false);
    }

    const [dead, ...survivors] = members as [ProbeProcess, ...ProbeProcess[]];
    dead.kill('SIGKILL');
    const killedAt = Date.now();
    const next = await waitForCoordinator(survivors, (leader) => leader.id !== dead.id, 8000);
    const failoverMs = Date.now() - killedAt;
    expect(next).toMatchObject({ id: `b-${tag}`, term: (first?.term ?? 0) + 1 });
    expect(failoverMs).toBeLessThanOrEqual(5000);
    process.stdout.write(`cluster probes: discovery ${discoveryMs} ms, failover ${failoverMs} ms\n`);
  });
});

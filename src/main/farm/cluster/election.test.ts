import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../../../test/support/election-sim.ts';
import type { ElectionPeer } from './election.ts';
import { claimBeats, createElection, PATIENCE_MS } from './election.ts';
import { MAX_TERM } from './types.ts';

function peer(id: string, fields: Partial<ElectionPeer> = {}): ElectionPeer {
  return { id, role: 'candidate', term: 0, coordinatorId: null, lastSeenAt: 0, ...fields };
}

function single(selfId: string, peers: () => ElectionPeer[], role: 'auto' | 'worker' = 'auto') {
  return createElection({ selfId, role, startedAt: 0, livePeers: peers });
}

describe('election rules', () => {
  it('orders claims by term, then by the lower id', () => {
    expect(claimBeats({ id: 'z', term: 3 }, { id: 'a', term: 2 })).toBe(true);
    expect(claimBeats({ id: 'a', term: 2 }, { id: 'b', term: 2 })).toBe(true);
    expect(claimBeats({ id: 'b', term: 2 }, { id: 'a', term: 2 })).toBe(false);
    expect(claimBeats({ id: 'a', term: 2 }, { id: 'a', term: 2 })).toBe(false);
  });

  it('a lone auto node claims term 1 once no coordinator was known for 2 s, not before', () => {
    const e = single('a', () => []);
    expect(e.tick(1999)).toEqual([]);
    expect(e.tick(2000)).toEqual([{ type: 'became-coordinator', term: 1 }]);
    expect(e.state()).toMatchObject({ isCoordinator: true, term: 1, advertisedRole: 'coordinator' });
    expect(e.tick(10_000)).toEqual([]);
  });

  it('a worker-only node never claims, even alone', () => {
    const e = single('a', () => [], 'worker');
    for (let t = 0; t <= 60_000; t += 250) expect(e.tick(t)).toEqual([]);
    expect(e.state()).toMatchObject({ isCoordinator: false, coordinator: null, advertisedRole: 'worker' });
  });

  it('only the lowest live candidate claims, workers do not count, with term = highest seen + 1', () => {
    let peers = [peer('a', { role: 'worker', term: 4, lastSeenAt: 2000 }), peer('c', { lastSeenAt: 2000 })];
    const b = single('b', () => peers);
    expect(b.tick(2000)).toEqual([{ type: 'became-coordinator', term: 5 }]);
    peers = [peer('a', { lastSeenAt: 2000 })];
    const c = single('c', () => peers);
    expect(c.tick(2500)).toEqual([]);
  });

  it('follows a live peer’s claim with a higher term, or the same term and a lower id; refuses the others', () => {
    let peers = ['x', 'y', 'a', 'b', 'z'].map((id) => peer(id, { lastSeenAt: 100 }));
    const e = single('m', () => peers);
    expect(e.onClaim({ id: 'x', term: 3 }, 100)).toEqual({
      accepted: true,
      events: [{ type: 'follow', coordinatorId: 'x', term: 3 }],
    });
    expect(e.onClaim({ id: 'x', term: 3 }, 400)).toEqual({ accepted: true, events: [] });
    // While x is alive nobody else is followed, however good their claim: two coordinators settle
    // between themselves, and x's followers move on when x steps down.
    expect(e.onClaim({ id: 'b', term: 3 }, 500).accepted).toBe(false);
    expect(e.onClaim({ id: 'z', term: 9 }, 600).accepted).toBe(false);
    // x is gone: the better claims are followed, the worse ones refused.
    peers = peers.filter((p) => p.id !== 'x').map((p) => ({ ...p, lastSeenAt: 3500 }));
    expect(e.onClaim({ id: 'y', term: 3 }, 3500).accepted).toBe(false);
    expect(e.onClaim({ id: 'a', term: 2 }, 3500).accepted).toBe(false);
    expect(e.onClaim({ id: 'b', term: 3 }, 3500).events).toEqual([
      { type: 'follow', coordinatorId: 'b', term: 3 },
    ]);
    expect(e.state()).toMatchObject({ term: 3, coordinator: { id: 'b', term: 3 }, isCoordinator: false });
  });

  // Found by attacking a farm: one POST from a key holder that was no peer at all deposed a healthy
  // coordinator, and a term of 999,999,999 made every node claim one above the advert's limit.
  it('refuses a claim from anyone who is not a live peer', () => {
    let peers = [peer('z', { lastSeenAt: 100 })];
    const e = single('m', () => peers);
    expect(e.onClaim({ id: 'x', term: 3 }, 100)).toEqual({ accepted: false, events: [] });
    peers = [peer('z', { lastSeenAt: 100 }), peer('x', { lastSeenAt: 100 })];
    expect(e.onClaim({ id: 'x', term: 3 }, 3200).accepted).toBe(false);
    expect(e.state().coordinator).toBeNull();
  });

  it('a coordinator yields to a live peer whose hellos claim better, not to a bare claim', () => {
    let peers = [peer('z', { term: 5, lastSeenAt: 2000 })];
    const f = single('f', () => peers);
    expect(f.tick(2000)).toEqual([{ type: 'became-coordinator', term: 6 }]);
    expect(f.onClaim({ id: 'z', term: 7 }, 2100)).toEqual({ accepted: false, events: [] });
    peers = [peer('a', { lastSeenAt: 2100 }), peer('z', { term: 5, lastSeenAt: 2100 })];
    expect(f.onClaim({ id: 'a', term: 6 }, 2100)).toEqual({ accepted: false, events: [] });
    expect(f.state().isCoordinator).toBe(true);
    peers = [peer('a', { role: 'coordinator', term: 6, lastSeenAt: 2200 })];
    expect(f.tick(2200)).toEqual([
      { type: 'stepped-down', term: 6, reason: 'same term, lower id' },
      { type: 'follow', coordinatorId: 'a', term: 6 },
    ]);
    peers = [];
    const g = single('g', () => peers);
    g.tick(2000);
    peers = [peer('z', { role: 'coordinator', term: 2, lastSeenAt: 2300 })];
    expect(g.tick(2300)[0]).toEqual({ type: 'stepped-down', term: 1, reason: 'higher term' });
  });

  it('a coordinator keeps leading when a peer’s hello only names a higher term', () => {
    let peers: ElectionPeer[] = [];
    const e = single('a', () => peers);
    e.tick(2000);
    peers = [peer('b', { term: 7, coordinatorId: 'nobody', lastSeenAt: 2500 })];
    expect(e.tick(2500)).toEqual([]);
    expect(e.state()).toMatchObject({ isCoordinator: true, coordinator: { id: 'a', term: 1 } });
  });

  // Found by reviewing the rules above: once a coordinator no longer yields to any higher term, a node
  // that had seen a higher term (a stray hello, a dead coordinator across a healed partition) never
  // followed the live coordinator of a lower term, nor claimed (a lower id was alive).
  it('a node without a coordinator follows the live one whatever term it has seen', () => {
    let peers = [
      peer('a', { role: 'coordinator', term: 1, coordinatorId: 'a', lastSeenAt: 2100 }),
      peer('x', { term: 2, lastSeenAt: 2100 }),
    ];
    const d = single('d', () => peers);
    expect(d.tick(2100)).toEqual([{ type: 'follow', coordinatorId: 'a', term: 1 }]);
    peers = [peer('a', { role: 'coordinator', term: 1, coordinatorId: 'a', lastSeenAt: 9000 })];
    expect(d.tick(9000)).toEqual([]);
    expect(d.state().coordinator).toEqual({ id: 'a', term: 1 });
  });

  it('terms stop at the ceiling, where the lower id decides', () => {
    let peers = [peer('b', { term: MAX_TERM, lastSeenAt: 2000 })];
    const a = single('a', () => peers);
    expect(a.tick(2000)).toEqual([{ type: 'became-coordinator', term: MAX_TERM }]);
    peers = [peer('a', { role: 'coordinator', term: MAX_TERM, lastSeenAt: 2100 })];
    const b = single('b', () => peers);
    expect(b.tick(2100)).toEqual([{ type: 'follow', coordinatorId: 'a', term: MAX_TERM }]);
    // a is gone: b claims the same, last term.
    peers = [];
    expect(b.tick(5200)).toEqual([
      { type: 'coordinator-lost', coordinatorId: 'a', term: MAX_TERM },
      { type: 'became-coordinator', term: MAX_TERM },
    ]);
  });

  it('a newcomer does not claim while a follower names a coordinator it has not heard yet', () => {
    const peers = [peer('b', { term: 3, coordinatorId: 'c', lastSeenAt: 2000 })];
    const e = single('a', () => peers);
    expect(e.tick(2000)).toEqual([]);
    expect(e.state().term).toBe(3);
  });

  it('waits for unanswered newcomers and an unmet coordinator only so long', () => {
    // Made-up mDNS peers that never answer, and a hello naming a coordinator no one has: both kept the
    // farm without a coordinator for as long as they were sent.
    const e = createElection({
      selfId: 'a',
      role: 'auto',
      startedAt: 0,
      livePeers: (now) => [peer('b', { term: 3, coordinatorId: 'ghost', lastSeenAt: now })],
      discoveryPending: () => true,
    });
    expect(e.tick(2000 + PATIENCE_MS - 1)).toEqual([]);
    expect(e.tick(2000 + PATIENCE_MS)).toEqual([{ type: 'became-coordinator', term: 4 }]);
  });

  it('does not claim while discovered peers still owe their first hello', () => {
    let pending = true;
    const e = createElection({
      selfId: 'a',
      role: 'auto',
      startedAt: 0,
      livePeers: () => [],
      discoveryPending: () => pending,
    });
    expect(e.tick(2500)).toEqual([]);
    pending = false;
    expect(e.tick(2750)).toEqual([{ type: 'became-coordinator', term: 1 }]);
  });

  it('drops a followed coordinator that is no longer alive, and one that stepped down', () => {
    let peers = [peer('x', { role: 'coordinator', term: 2, lastSeenAt: 1000 })];
    const e = single('m', () => peers, 'worker');
    expect(e.tick(1000)).toEqual([{ type: 'follow', coordinatorId: 'x', term: 2 }]);
    peers = [];
    expect(e.tick(3999)).toEqual([]);
    expect(e.tick(4000)).toEqual([{ type: 'coordinator-lost', coordinatorId: 'x', term: 2 }]);
    peers = [peer('x', { role: 'coordinator', term: 3, lastSeenAt: 5000 })];
    e.tick(5000);
    peers = [peer('x', { role: 'candidate', term: 3, lastSeenAt: 5500 })];
    expect(e.tick(5500)).toEqual([{ type: 'coordinator-lost', coordinatorId: 'x', term: 3 }]);
  });
});

function startCluster(ids: string[], roles: Record<string, 'worker'> = {}): SimCluster {
  const sim = new SimCluster();
  ids.forEach((id, i) => {
    sim.add({ id, role: roles[id] ?? 'auto', phaseMs: (i * 370) % 1000 });
  });
  return sim;
}

describe('simulated clusters', () => {
  it.each([3, 5])('%i nodes starting together agree on exactly one coordinator, the lowest id', (n) => {
    const ids = ['n1', 'n2', 'n3', 'n4', 'n5'].slice(0, n).reverse();
    const sim = startCluster(ids);
    const at = sim.runUntil(() => sim.agreed() !== null, 10_000);
    expect(at).not.toBeNull();
    expect(at).toBeLessThanOrEqual(3500);
    expect(sim.agreed()).toEqual({ id: 'n1', term: 1 });
    const settled = sim.events.length;
    sim.run(30_000);
    expect(sim.events.length).toBe(settled);
  });

  it('elects a new coordinator within 5 s of the old one dying, again and again', () => {
    const sim = startCluster(['e', 'd', 'c', 'b', 'a']);
    sim.runUntil(() => sim.agreed() !== null, 10_000);
    for (const [dead, next, term] of [
      ['a', 'b', 2],
      ['b', 'c', 3],
      ['c', 'd', 4],
    ] as const) {
      sim.run(700);
      sim.kill(dead);
      const killedAt = sim.now;
      const at = sim.runUntil(() => sim.agreed()?.id === next, 10_000);
      expect(at).not.toBeNull();
      expect((at as number) - killedAt).toBeLessThanOrEqual(5000);
      expect(sim.agreed()).toEqual({ id: next, term });
    }
  });

  it('worker-only nodes never claim; the lowest auto node leads', () => {
    const sim = startCluster(['a', 'b', 'c'], { a: 'worker', b: 'worker' });
    sim.run(20_000);
    expect(sim.agreed()).toEqual({ id: 'c', term: 1 });
    expect(sim.events.filter((e) => e.event.type === 'became-coordinator').map((e) => e.node)).toEqual(['c']);
    const workers = startCluster(['a', 'b', 'c'], { a: 'worker', b: 'worker', c: 'worker' });
    workers.run(30_000);
    expect(workers.coordinators()).toEqual([]);
    expect(workers.events).toEqual([]);
  });

  it('a newcomer with a lower id follows the healthy coordinator instead of taking over', () => {
    const sim = startCluster(['d', 'c', 'b']);
    sim.runUntil(() => sim.agreed() !== null, 10_000);
    expect(sim.agreed()).toEqual({ id: 'b', term: 1 });
    sim.add({ id: 'a', phaseMs: 420 });
    sim.run(30_000);
    expect(sim.agreed()).toEqual({ id: 'b', term: 1 });
    expect(sim.node('a').state()).toMatchObject({ isCoordinator: false, coordinator: { id: 'b', term: 1 } });
    expect(sim.events.some((e) => e.event.type === 'became-coordinator' && e.node === 'a')).toBe(false);
  });

  it('two coordinators after a partition become exactly one when it heals: the higher term wins', () => {
    const sim = startCluster(['e', 'd', 'c', 'b', 'a']);
    sim.runUntil(() => sim.agreed() !== null, 10_000);
    sim.partition([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    sim.run(10_000);
    expect(sim.coordinators().sort()).toEqual(['a', 'c']);
    sim.heal();
    const healedAt = sim.now;
    const at = sim.runUntil(() => sim.agreed() !== null, 10_000);
    expect((at as number) - healedAt).toBeLessThanOrEqual(2000);
    expect(sim.agreed()).toEqual({ id: 'c', term: 2 });
    expect(sim.events).toContainEqual({
      at: expect.any(Number),
      node: 'a',
      event: { type: 'stepped-down', term: 1, reason: 'higher term' },
    });
    const settled = sim.events.length;
    sim.run(20_000);
    expect(sim.events.length).toBe(settled);
  });

  it('a partition from the start heals to the lower id when both sides hold the same term', () => {
    const sim = startCluster(['e', 'd', 'c', 'b', 'a']);
    sim.partition([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    sim.run(5000);
    expect(sim.coordinators().sort()).toEqual(['a', 'c']);
    sim.heal();
    sim.runUntil(() => sim.agreed() !== null, 10_000);
    expect(sim.agreed()).toEqual({ id: 'a', term: 1 });
    expect(sim.events.find((e) => e.event.type === 'stepped-down')).toMatchObject({
      node: 'c',
      event: { reason: 'same term, lower id' },
    });
  });

  it('a partition that heals after one side’s coordinator died leaves every node following the other', () => {
    const sim = startCluster(['a', 'c', 'd']);
    sim.runUntil(() => sim.agreed() !== null, 10_000);
    sim.partition([['a'], ['c', 'd']]);
    sim.run(10_000);
    expect(sim.coordinators().sort()).toEqual(['a', 'c']);
    sim.kill('c');
    sim.heal();
    const at = sim.runUntil(() => sim.node('d').state().coordinator?.id === 'a', 10_000);
    expect(at).not.toBeNull();
    expect(sim.coordinators()).toEqual(['a']);
  });

  it('an isolated coordinator yields to the majority side when the link returns', () => {
    const sim = startCluster(['c', 'b', 'a']);
    sim.runUntil(() => sim.agreed() !== null, 10_000);
    sim.partition([['a'], ['b', 'c']]);
    sim.run(8000);
    expect(sim.coordinators().sort()).toEqual(['a', 'b']);
    sim.heal();
    sim.runUntil(() => sim.agreed() !== null, 10_000);
    expect(sim.agreed()).toEqual({ id: 'b', term: 2 });
  });
});

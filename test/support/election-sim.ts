/**
 * A simulated cluster for the election tests: nodes hello each other every second (each at its own
 * phase), claims are delivered to the claimant's live peers, and the network can be partitioned. Time
 * is simulated, so minutes of cluster life run in milliseconds and every run is reproducible.
 */
import type { Election, ElectionEvent, ElectionPeer } from '../../src/main/farm/cluster/election.ts';
import { createElection } from '../../src/main/farm/cluster/election.ts';
import type { NodeRole } from '../../src/main/farm/cluster/types.ts';

export interface SimNodeSpec {
  id: string;
  role?: NodeRole;
  /** Offset of its hello rounds within each second. */
  phaseMs?: number;
}

export interface SimEvent {
  at: number;
  node: string;
  event: ElectionEvent;
}

interface SimNode {
  id: string;
  election: Election;
  view: Map<string, ElectionPeer>;
  alive: boolean;
  nextHelloAt: number;
}

const HELLO_INTERVAL_MS = 1000;
const TICK_MS = 250;
const STEP_MS = 50;
const LIVE_MS = 3000;

export class SimCluster {
  now = 0;
  readonly events: SimEvent[] = [];
  readonly #nodes = new Map<string, SimNode>();
  #groups: string[][] | null = null;

  add(spec: SimNodeSpec): void {
    const view = new Map<string, ElectionPeer>();
    const election = createElection({
      selfId: spec.id,
      role: spec.role ?? 'auto',
      startedAt: this.now,
      livePeers: (now) => [...view.values()].filter((p) => now - p.lastSeenAt < LIVE_MS),
    });
    this.#nodes.set(spec.id, {
      id: spec.id,
      election,
      view,
      alive: true,
      nextHelloAt: this.now + (spec.phaseMs ?? 0),
    });
  }

  kill(id: string): void {
    this.#node(id).alive = false;
  }

  partition(groups: string[][]): void {
    this.#groups = groups;
  }

  heal(): void {
    this.#groups = null;
  }

  reachable(a: string, b: string): boolean {
    return !this.#groups || this.#groups.some((g) => g.includes(a) && g.includes(b));
  }

  node(id: string): Election {
    return this.#node(id).election;
  }

  /** Live nodes that believe they are the coordinator. */
  coordinators(): string[] {
    return this.#alive()
      .filter((n) => n.election.state().isCoordinator)
      .map((n) => n.id);
  }

  /** The one coordinator every live node agrees on (same id and term), else null. */
  agreed(): { id: string; term: number } | null {
    const leaders = this.coordinators();
    if (leaders.length !== 1) return null;
    const leader = this.#node(leaders[0] as string).election.state().coordinator;
    if (!leader) return null;
    const all = this.#alive().every((n) => {
      const c = n.election.state().coordinator;
      return c?.id === leader.id && c.term === leader.term;
    });
    return all ? leader : null;
  }

  run(ms: number): void {
    const end = this.now + ms;
    while (this.now < end) this.#step();
  }

  /** Runs until `done` holds (checked every step); returns the time it first held, or null. */
  runUntil(done: () => boolean, maxMs: number): number | null {
    const end = this.now + maxMs;
    while (this.now < end) {
      if (done()) return this.now;
      this.#step();
    }
    return done() ? this.now : null;
  }

  #step(): void {
    this.now += STEP_MS;
    for (const node of this.#alive()) {
      if (this.now >= node.nextHelloAt) {
        node.nextHelloAt += HELLO_INTERVAL_MS;
        this.#helloRound(node);
        this.#tick(node);
      } else if (this.now % TICK_MS === 0) {
        this.#tick(node);
      }
    }
  }

  #helloRound(node: SimNode): void {
    for (const peer of this.#alive()) {
      if (peer === node || !this.reachable(node.id, peer.id)) continue;
      const state = peer.election.state();
      node.view.set(peer.id, {
        id: peer.id,
        role: state.advertisedRole,
        term: state.term,
        coordinatorId: state.coordinator?.id ?? null,
        lastSeenAt: this.now,
      });
    }
  }

  #tick(node: SimNode): void {
    this.#record(node, node.election.tick(this.now));
  }

  #record(node: SimNode, events: ElectionEvent[]): void {
    for (const event of events) {
      this.events.push({ at: this.now, node: node.id, event });
      if (event.type === 'became-coordinator') this.#announce(node, event.term);
    }
  }

  /** POST /farm/v1/coordinator to every peer the claimant sees alive. */
  #announce(claimant: SimNode, term: number): void {
    for (const peerId of claimant.view.keys()) {
      const peer = this.#nodes.get(peerId);
      const seen = claimant.view.get(peerId);
      if (!peer?.alive || !seen || this.now - seen.lastSeenAt >= LIVE_MS) continue;
      if (!this.reachable(claimant.id, peerId)) continue;
      this.#record(peer, peer.election.onClaim({ id: claimant.id, term }, this.now).events);
    }
  }

  #alive(): SimNode[] {
    return [...this.#nodes.values()].filter((n) => n.alive);
  }

  #node(id: string): SimNode {
    const node = this.#nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }
}

/**
 * Coordinator election by terms (docs/FARM.md), as a pure state machine: no I/O, no timers of its own;
 * time comes in as `now` and the live peers through `livePeers(now)`. The caller acts on the events
 * (announce a claim, update the advert, re-announce work to a new coordinator).
 *
 * Rules: a claim (id, term) beats another with a higher term, or the same term and a lower id. With no
 * live coordinator known for 2 s, the live `auto` node with the lowest id claims term = highest seen + 1.
 * A newcomer never claims while a coordinator is alive, whatever its id (stickiness).
 *
 * What a node believes, since every key holder can send anything (found by attacking the farm):
 * - A coordinator steps down only for a live peer whose own hellos claim better; a bare claim (POST)
 *   or a higher term in someone's hello does not depose it (one request deposed a healthy coordinator).
 * - A claim is followed only from a live peer, and not while the coordinator followed is alive: two
 *   coordinators settle between themselves (the worse one steps down, and its followers move on).
 * - Terms stop at MAX_TERM: at the ceiling a claim keeps it and the lower id decides (a claim of the
 *   last term made every node claim one above the advert's limit, which stopped it).
 * - A claim waits for unanswered newcomers and for a coordinator someone names but no one met for at
 *   most PATIENCE_MS: made-up peers and names cannot keep the farm without a coordinator.
 */
import type { CoordinatorClaim } from './hello-schema.ts';
import type { AdvertisedRole, NodeRole } from './types.ts';
import { MAX_TERM } from './types.ts';

export const CLAIM_AFTER_MS = 2000;
export const ELECTION_LIVE_TIMEOUT_MS = 3000;
/** How long past CLAIM_AFTER_MS a claim waits for peers that never answer or a coordinator never met. */
export const PATIENCE_MS = 3000;

export interface ElectionPeer {
  id: string;
  /** What the peer says it is in its last hello. */
  role: AdvertisedRole;
  term: number;
  coordinatorId: string | null;
  lastSeenAt: number;
}

export type StepDownReason = 'higher term' | 'same term, lower id';

export type ElectionEvent =
  | { type: 'became-coordinator'; term: number }
  | { type: 'stepped-down'; term: number; reason: StepDownReason }
  | { type: 'follow'; coordinatorId: string; term: number }
  | { type: 'coordinator-lost'; coordinatorId: string; term: number };

export interface ElectionState {
  selfId: string;
  role: NodeRole;
  /** Highest term seen. */
  term: number;
  coordinator: CoordinatorClaim | null;
  isCoordinator: boolean;
  /** What to put in TXT `role` and the hello answer. */
  advertisedRole: AdvertisedRole;
}

export interface ElectionOptions {
  selfId: string;
  role: NodeRole;
  startedAt: number;
  livePeers(now: number): ElectionPeer[];
  /** True while newly discovered peers have not answered their first hello: a claim waits for them. */
  discoveryPending?(now: number): boolean;
  claimAfterMs?: number;
  liveTimeoutMs?: number;
  patienceMs?: number;
}

export interface ClaimOutcome {
  accepted: boolean;
  events: ElectionEvent[];
}

export interface Election {
  tick(now: number): ElectionEvent[];
  /** A claim received from a peer (POST /farm/v1/coordinator). */
  onClaim(claim: CoordinatorClaim, now: number): ClaimOutcome;
  state(): ElectionState;
}

export function claimBeats(a: CoordinatorClaim, b: CoordinatorClaim): boolean {
  return a.term > b.term || (a.term === b.term && a.id < b.id);
}

function stepDownReason(winner: CoordinatorClaim, loser: CoordinatorClaim): StepDownReason {
  return winner.term > loser.term ? 'higher term' : 'same term, lower id';
}

export function createElection(options: ElectionOptions): Election {
  const { selfId, role } = options;
  const claimAfterMs = options.claimAfterMs ?? CLAIM_AFTER_MS;
  const liveTimeoutMs = options.liveTimeoutMs ?? ELECTION_LIVE_TIMEOUT_MS;
  const patienceMs = options.patienceMs ?? PATIENCE_MS;
  let term = 0;
  let coordinator: CoordinatorClaim | null = null;
  // The last moment a live coordinator was known (or this node started, or stepped down).
  let evidenceAt = options.startedAt;
  // Peers ever heard from: a coordinator named by a follower but never heard from is one still to meet.
  const everLive = new Set<string>();

  const leading = (): boolean => coordinator?.id === selfId;

  const stepDown = (winner: CoordinatorClaim, now: number, events: ElectionEvent[]): void => {
    const mine = coordinator as CoordinatorClaim;
    events.push({ type: 'stepped-down', term: mine.term, reason: stepDownReason(winner, mine) });
    coordinator = null;
    evidenceAt = now;
  };

  const follow = (claim: CoordinatorClaim, seenAt: number, events: ElectionEvent[]): void => {
    coordinator = { id: claim.id, term: claim.term };
    term = Math.max(term, claim.term);
    evidenceAt = Math.max(evidenceAt, seenAt);
    events.push({ type: 'follow', coordinatorId: claim.id, term: claim.term });
  };

  const lose = (events: ElectionEvent[]): void => {
    const lost = coordinator as CoordinatorClaim;
    coordinator = null;
    events.push({ type: 'coordinator-lost', coordinatorId: lost.id, term: lost.term });
  };

  /** Following someone else: is it still alive and still claiming? */
  const checkFollowed = (peers: ElectionPeer[], now: number, events: ElectionEvent[]): void => {
    if (!coordinator || leading()) return;
    const followed = coordinator;
    const peer = peers.find((p) => p.id === followed.id);
    if (peer) {
      evidenceAt = Math.max(evidenceAt, peer.lastSeenAt);
      // An older term in its hello is a hello from before its claim, not a step-down.
      if (peer.role !== 'coordinator' && peer.term >= followed.term) {
        lose(events);
        return;
      }
    }
    if (now - evidenceAt >= liveTimeoutMs) lose(events);
  };

  const mayClaim = (peers: ElectionPeer[], now: number): boolean => {
    if (role !== 'auto' || coordinator || now - evidenceAt < claimAfterMs) return false;
    const lowerCandidate = peers.some((p) => p.role !== 'worker' && p.id < selfId);
    if (lowerCandidate) return false;
    if (now - evidenceAt >= claimAfterMs + patienceMs) return true;
    if (options.discoveryPending?.(now)) return false;
    return !peers.some(
      (p) =>
        p.coordinatorId && p.coordinatorId !== selfId && !everLive.has(p.coordinatorId) && p.term >= term,
    );
  };

  /** Other peers heard from within the live timeout. */
  const livePeers = (now: number): ElectionPeer[] =>
    options.livePeers(now).filter((p) => p.id !== selfId && now - p.lastSeenAt < liveTimeoutMs);

  const livePeer = (id: string, now: number): ElectionPeer | undefined =>
    livePeers(now).find((p) => p.id === id);

  const tick = (now: number): ElectionEvent[] => {
    const events: ElectionEvent[] = [];
    const peers = livePeers(now);
    for (const peer of peers) everLive.add(peer.id);
    const highestPeerTerm = Math.max(0, ...peers.map((p) => p.term));
    let best: ElectionPeer | undefined;
    for (const peer of peers)
      if (peer.role === 'coordinator' && (!best || claimBeats(peer, best))) best = peer;

    if (leading()) {
      const mine = coordinator as CoordinatorClaim;
      if (best && claimBeats(best, mine)) stepDown(best, now, events);
      else return events;
    }
    term = Math.max(term, highestPeerTerm);
    checkFollowed(peers, now, events);
    // Without a coordinator, the best live one is followed whatever term this node has seen: a higher
    // term in someone's hello (a key holder's, or a dead coordinator's across a healed partition) left
    // a node without any.
    if (best && (!coordinator || claimBeats(best, coordinator))) follow(best, best.lastSeenAt, events);
    if (mayClaim(peers, now)) {
      term = Math.min(MAX_TERM, term + 1);
      coordinator = { id: selfId, term };
      events.push({ type: 'became-coordinator', term });
    }
    return events;
  };

  const onClaim = (claim: CoordinatorClaim, now: number): ClaimOutcome => {
    const events: ElectionEvent[] = [];
    if (claim.id === selfId) return { accepted: leading() && coordinator?.term === claim.term, events };
    const refused = { accepted: false, events };
    if (!livePeer(claim.id, now)) return refused;
    everLive.add(claim.id);
    if (coordinator && coordinator.id === claim.id && coordinator.term === claim.term) {
      evidenceAt = Math.max(evidenceAt, now);
      return { accepted: true, events };
    }
    // A coordinator yields in tick(), to a peer whose hellos claim better; a follower moves on once
    // the coordinator it follows is gone or steps down.
    if (leading() || (coordinator && livePeer(coordinator.id, now))) return refused;
    const acceptable = coordinator ? claimBeats(claim, coordinator) : claim.term >= term;
    if (!acceptable) return refused;
    follow(claim, now, events);
    return { accepted: true, events };
  };

  return {
    tick,
    onClaim,
    state: () => ({
      selfId,
      role,
      term,
      coordinator: coordinator && { ...coordinator },
      isCoordinator: leading(),
      advertisedRole: leading() ? 'coordinator' : role === 'worker' ? 'worker' : 'candidate',
    }),
  };
}

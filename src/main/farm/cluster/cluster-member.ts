/**
 * One node's membership of the farm: discovery feeds the peer table, the prober keeps it alive with
 * hellos, and the election runs on the live peers. Transport stays outside: the caller passes `hello`
 * and `announce` (signed HTTP in the real node, plain HTTP in the probe) and serves `helloInfo()` and
 * `receiveClaim()` on its own endpoints.
 */
import { createLogger } from '../../log/logger.ts';
import type { TimerHandle, Timers } from './clock.ts';
import { systemTimers } from './clock.ts';
import { startDiscovery } from './discovery.ts';
import type { ClaimOutcome, ElectionEvent, ElectionPeer, ElectionState } from './election.ts';
import { createElection } from './election.ts';
import type { CoordinatorClaim, HelloInfo } from './hello-schema.ts';
import type { HelloCall, PeerRecord } from './liveness.ts';
import { createProber, HELLO_TIMEOUT_MS, PeerTable } from './liveness.ts';
import type { IgnoredService, NodeAdvert, NodeRole, PeerAdvert } from './types.ts';
import { PROTOCOL_VERSION } from './types.ts';

const log = createLogger('ClusterMember');

// Well under the 1 s the FARM.md failover budget allows for a tick.
const TICK_MS = 250;
/** Ticks are 250 ms apart; a gap this long means the process did not run in between. */
const WAKE_GAP_MS = 1500;
/** Long enough for one hello round (1 s) to answer, or to time out, after waking. */
const WAKE_QUIET_MS = 2000;

export type ClusterEvent =
  | ElectionEvent
  | { type: 'peer-discovered'; peer: PeerAdvert }
  | { type: 'peer-ignored'; service: IgnoredService }
  | { type: 'peer-up'; id: string; name: string; url: string }
  | { type: 'peer-down'; id: string; name: string };

export interface ClusterMemberOptions {
  id: string;
  name: string;
  farm: string;
  role: NodeRole;
  /** This node's HTTP port and the URL it gives in hello answers. */
  port: number;
  url: string;
  encoders: string[];
  cores: number;
  freeSlots?(): number;
  running?(): number;
  /** The app's version, and the protocol spoken (PROTOCOL_VERSION unless a test speaks another). */
  version?: string;
  protocol?: number;
  /** Whether the node takes work now, for its hello (status shows it on every node). */
  mode?(): NonNullable<HelloInfo['mode']>;
  interface?: string;
  bind?: string;
  host?: string;
  hello: HelloCall;
  /** POST /farm/v1/coordinator to one peer. */
  announce(peer: { url: string; id: string }, claim: CoordinatorClaim, signal: AbortSignal): Promise<void>;
  onEvent?(event: ClusterEvent): void;
  timers?: Timers;
}

export interface ClusterMember {
  /** The answer to GET /farm/v1/hello. */
  helloInfo(): HelloInfo;
  /** Handles POST /farm/v1/coordinator. */
  receiveClaim(claim: CoordinatorClaim): ClaimOutcome;
  election(): ElectionState;
  peers(): PeerRecord[];
  ignored(): IgnoredService[];
  /** Re-publishes the advert now that free slots (or anything else advertised) changed. */
  refreshAdvert(): void;
  stop(): Promise<void>;
}

/** A peer whose hello says it speaks another protocol takes no part in the election (nor in the work). */
export function speaksOtherProtocol(peer: PeerRecord, protocol: number): boolean {
  return peer.hello?.protocol !== undefined && peer.hello.protocol !== protocol;
}

function electionView(peer: PeerRecord, protocol: number): ElectionPeer[] {
  if (!peer.hello || peer.lastSeenAt === null || speaksOtherProtocol(peer, protocol)) return [];
  const { role, term, coordinatorId } = peer.hello;
  return [{ id: peer.id, role, term, coordinatorId, lastSeenAt: peer.lastSeenAt }];
}

export function startClusterMember(options: ClusterMemberOptions): ClusterMember {
  const timers = options.timers ?? systemTimers;
  const emit = (event: ClusterEvent): void => options.onEvent?.(event);
  const table = new PeerTable();
  const election = createElection({
    selfId: options.id,
    role: options.role,
    startedAt: timers.now(),
    livePeers: (now) =>
      table.alivePeers(now).flatMap((peer) => electionView(peer, options.protocol ?? PROTOCOL_VERSION)),
    discoveryPending: (now) => table.awaitingFirstHello(now),
    liveTimeoutMs: table.liveTimeoutMs,
  });

  const advert = (): NodeAdvert => {
    const state = election.state();
    return {
      id: options.id,
      name: options.name,
      farm: options.farm,
      role: state.advertisedRole,
      term: state.term,
      proto: options.protocol ?? PROTOCOL_VERSION,
      port: options.port,
      encoders: options.encoders,
      cores: options.cores,
      slots: options.freeSlots?.() ?? 0,
      ...(options.version ? { version: options.version } : {}),
    };
  };

  const prober = createProber({ table, hello: options.hello, timers, onAnswer: () => tick() });
  const discovery = startDiscovery({
    self: advert(),
    interface: options.interface,
    bind: options.bind,
    host: options.host,
    timers,
    onPeer: (peer) => {
      if (!table.upsertAdvert(peer, timers.now())) {
        log.warn('advert ignored: the peer table is full', { id: peer.id, address: peer.address });
        return;
      }
      emit({ type: 'peer-discovered', peer });
      // Hello a new peer now rather than at the next round: the election is waiting for its answer.
      void prober.round();
    },
    onIgnored: (service) => emit({ type: 'peer-ignored', service }),
  });

  const announce = (claim: CoordinatorClaim): void => {
    for (const peer of table.alivePeers(timers.now())) {
      const controller = new AbortController();
      const bound = timers.setTimeout(() => controller.abort(), HELLO_TIMEOUT_MS);
      options
        .announce({ url: peer.url, id: peer.id }, claim, controller.signal)
        .catch((error: unknown) => log.debug('claim not delivered', { peer: peer.id, error: String(error) }))
        .finally(() => timers.clearTimeout(bound));
    }
  };

  const handle = (events: ElectionEvent[]): void => {
    for (const event of events) {
      log.info('election', { ...event });
      emit(event);
      if (event.type === 'became-coordinator') announce({ id: options.id, term: event.term });
    }
    if (events.length) refreshAdvert();
  };

  // The advert is a derived view: failing to publish it must not stop the election (a check that
  // threw here once ended the process).
  const refreshAdvert = (): void => {
    try {
      discovery.update(advert());
    } catch (error) {
      log.error('could not update the advert', { error: String(error) });
    }
  };

  let stopped = false;
  let alive = new Set<string>();
  let lastTickAt = timers.now();
  let quietUntil = 0;
  function tick(): void {
    if (stopped) return;
    const now = timers.now();
    // A gap between ticks means this process was frozen (SIGSTOP, a Mac asleep): every peer looks
    // dead only because we stopped listening. Hear a full round of hellos before judging anyone,
    // or a waking node would depose a healthy coordinator.
    if (now - lastTickAt > WAKE_GAP_MS) {
      quietUntil = now + WAKE_QUIET_MS;
      log.info('resumed after a pause; waiting for fresh hellos before any election', {
        gapMs: now - lastTickAt,
      });
      void prober.round();
    }
    lastTickAt = now;
    if (now < quietUntil) return;
    const live = table.alivePeers(now);
    const next = new Set(live.map((p) => p.id));
    for (const peer of live)
      if (!alive.has(peer.id)) emit({ type: 'peer-up', id: peer.id, name: peer.name, url: peer.url });
    for (const id of alive)
      if (!next.has(id)) emit({ type: 'peer-down', id, name: table.get(id)?.name ?? id });
    alive = next;
    handle(election.tick(now));
  }

  let timer: TimerHandle | null = null;
  const loop = (): void => {
    if (stopped) return;
    tick();
    timer = timers.setTimeout(loop, TICK_MS);
  };
  prober.start();
  loop();

  return {
    helloInfo: () => {
      const state = election.state();
      return {
        id: options.id,
        name: options.name,
        role: state.advertisedRole,
        term: state.term,
        coordinatorId: state.coordinator?.id ?? null,
        url: options.url,
        capabilities: { encoders: options.encoders, cores: options.cores, slots: options.freeSlots?.() ?? 0 },
        running: options.running?.() ?? 0,
        protocol: options.protocol ?? PROTOCOL_VERSION,
        ...(options.version ? { version: options.version } : {}),
        ...(options.mode ? { mode: options.mode() } : {}),
      };
    },
    receiveClaim(claim) {
      const outcome = election.onClaim(claim, timers.now());
      handle(outcome.events);
      return outcome;
    },
    election: () => election.state(),
    peers: () => table.known().filter((peer) => !peer.distrusted),
    ignored: () => [
      ...discovery.ignored(),
      ...table.distrusted().map((peer) => ({
        instance: peer.advert?.instance ?? peer.name,
        address: peer.advert?.address ?? peer.url,
        reason: 'unauthenticated' as const,
        detail: peer.distrusted.reason,
      })),
    ],
    refreshAdvert,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) timers.clearTimeout(timer);
      await prober.stop();
      await discovery.stop();
    },
  };
}

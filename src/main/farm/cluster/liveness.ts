/**
 * Who is alive. Discovery says a peer exists and where; only an answered hello says it is alive, because
 * mDNS never reports a dead peer. A peer is alive while its last hello answer is under 3 s old.
 */
import { createLogger } from '../../log/logger.ts';
import type { TimerHandle, Timers } from './clock.ts';
import { systemTimers } from './clock.ts';
import type { HelloInfo } from './hello-schema.ts';
import type { PeerAdvert } from './types.ts';

const log = createLogger('Liveness');

export const LIVE_TIMEOUT_MS = 3000;
export const PROBE_INTERVAL_MS = 1000;
// Under the interval, so a hung peer (SIGSTOP) never has two hellos outstanding.
export const HELLO_TIMEOUT_MS = 900;
/** A peer whose answer could not be trusted is asked again this much later (its key may be fixed). */
export const DISTRUST_MS = 30_000;
/**
 * A discovered peer that never answered (nor was distrusted) is forgotten this much later: made-up
 * adverts pile up. Long, because discovery tells of a peer again only when its advert changes.
 */
export const FORGET_UNANSWERED_MS = 5 * 60_000;
/** The most peers the table holds; past it a new advert takes the place of the oldest never answered. */
export const MAX_PEERS = 256;

/**
 * Thrown by a HelloCall whose answer did not prove the peer is a member of this farm (unsigned, signed
 * by someone else, or our signed request refused): the peer is ignored, with the reason, for a while.
 */
export class UntrustedPeerError extends Error {
  override name = 'UntrustedPeerError';
}

export interface PeerRecord {
  id: string;
  name: string;
  /** Where hellos go: the discovered address, else what the peer said about itself. */
  url: string;
  /** Where our hello last had its signed answer: kept while the peer is alive, whatever adverts say. */
  verifiedUrl: string | null;
  advert: PeerAdvert | null;
  hello: HelloInfo | null;
  /** When its last hello answer arrived; null if it never answered. */
  lastSeenAt: number | null;
  /** When it was first heard of (advert or hello). */
  discoveredAt: number;
  /** Set when its answers (at `url`) could not be trusted: ignored (not alive, not waited for) until `until`. */
  distrusted: { reason: string; until: number; url: string } | null;
  /** An advertised address that answered as someone else: not asked again until `until` (distrust). */
  impostorAt?: { url: string; until: number };
}

/** Discovered, never answered a hello, never distrusted (a distrusted peer is asked again later). */
function neverAnswered(peer: PeerRecord): boolean {
  return peer.lastSeenAt === null && peer.verifiedUrl === null && peer.distrusted === null;
}

export class PeerTable {
  readonly liveTimeoutMs: number;
  readonly #peers = new Map<string, PeerRecord>();

  constructor(options: { liveTimeoutMs?: number } = {}) {
    this.liveTimeoutMs = options.liveTimeoutMs ?? LIVE_TIMEOUT_MS;
  }

  /**
   * From discovery: the peer exists at this URL. Not a sign of life, and not proof it is there: anyone
   * on the LAN can advertise a node's id at their own address, so a live peer keeps the address that
   * answered (split brain: each node sent its hellos to an impostor, got an unsigned answer and
   * distrusted its real peer). Returns false when the table is full.
   */
  upsertAdvert(advert: PeerAdvert, now: number): boolean {
    const known = this.#peers.get(advert.id);
    if (!known && !this.#makeRoom()) return false;
    // A peer that ever answered has its hellos sent by refresh(): where it answered, or in turn there and
    // at its advert while it does not answer. Adverts alone never move them.
    const managed = known?.verifiedUrl ? known.url : null;
    this.#peers.set(advert.id, {
      id: advert.id,
      name: advert.name,
      url: managed ?? advert.url,
      verifiedUrl: known?.verifiedUrl ?? null,
      advert,
      hello: known?.hello ?? null,
      lastSeenAt: known?.lastSeenAt ?? null,
      discoveredAt: known?.discoveredAt ?? now,
      // Distrust is of an address: an advert elsewhere is asked at once.
      distrusted: known?.distrusted?.url === (managed ?? advert.url) ? known.distrusted : null,
      ...(known?.impostorAt ? { impostorAt: known.impostorAt } : {}),
    });
    return true;
  }

  /** From a hello answer at `url` (or, without `url`, any authenticated message from the peer). */
  markAlive(id: string, info: HelloInfo, now: number, url?: string): void {
    const known = this.#peers.get(id);
    if (!known && !this.#makeRoom()) return;
    this.#peers.set(id, {
      id,
      name: info.name,
      url: url ?? known?.url ?? info.url,
      verifiedUrl: url ?? known?.verifiedUrl ?? null,
      advert: known?.advert ?? null,
      hello: info,
      lastSeenAt: Math.max(now, known?.lastSeenAt ?? now),
      discoveredAt: known?.discoveredAt ?? now,
      distrusted: null,
      ...(known?.impostorAt ? { impostorAt: known.impostorAt } : {}),
    });
  }

  /**
   * Its answer at `url` was not from a member of this farm: forget it was alive, and do not wait for it.
   * Unless that is not where it answered before: then only that address is wrong (someone advertised
   * the peer's id there), and hellos go back to the one that answered.
   */
  distrust(id: string, url: string, reason: string, now: number): 'peer' | 'address' | null {
    const known = this.#peers.get(id);
    if (!known) return null;
    if (known.verifiedUrl && known.verifiedUrl !== url) {
      // Not asked there again for a while: refresh() would send the next hello right back to it, and
      // an impostor answering unsigned at its advert kept the peer's hellos (found by a review).
      this.#peers.set(id, {
        ...known,
        url: known.verifiedUrl,
        impostorAt: { url, until: now + DISTRUST_MS },
      });
      return 'address';
    }
    // Where it answered is no address to go back to: its answers there are not trusted.
    this.#peers.set(id, {
      ...known,
      hello: null,
      lastSeenAt: null,
      verifiedUrl: null,
      distrusted: { reason, until: now + DISTRUST_MS, url },
    });
    return 'peer';
  }

  /**
   * Before a round of hellos: forgets peers discovered long ago that never answered (a made-up advert
   * stays no longer), and sends the hellos of a peer no longer alive where it advertises itself now (it
   * may have moved: another port, another network; its advert came while it still counted alive), in
   * turn with where it last answered.
   */
  refresh(now: number): void {
    for (const peer of this.#peers.values()) {
      if (neverAnswered(peer) && now - peer.discoveredAt >= FORGET_UNANSWERED_MS) this.#peers.delete(peer.id);
      else if (peer.advert && !this.isAlive(peer.id, now)) {
        const { verifiedUrl } = peer;
        // In turn where it answered and where it advertises itself now: an advert of a live peer's id
        // at a dead address (anyone on the LAN can send one, at a new address each time) took its
        // hellos for good once it paused, and the farm split into two coordinators that outlasted the
        // impostor (found by attacking the farm). A peer that moved answers at its advert in a round.
        const impostor = peer.impostorAt?.url === peer.advert.url && now < peer.impostorAt.until;
        const next =
          verifiedUrl && (impostor || (peer.url !== verifiedUrl && peer.advert.url !== verifiedUrl))
            ? verifiedUrl
            : peer.advert.url;
        if (next !== peer.url) this.#peers.set(peer.id, { ...peer, url: next });
      }
    }
  }

  /** Room for one more peer: the oldest never answered goes when the table is full (false: all answered). */
  #makeRoom(): boolean {
    if (this.#peers.size < MAX_PEERS) return true;
    let oldest: PeerRecord | undefined;
    for (const peer of this.#peers.values())
      if (neverAnswered(peer) && (!oldest || peer.discoveredAt < oldest.discoveredAt)) oldest = peer;
    if (oldest) this.#peers.delete(oldest.id);
    return oldest !== undefined;
  }

  isDistrusted(id: string, now: number): boolean {
    const until = this.#peers.get(id)?.distrusted?.until;
    return until !== undefined && now < until;
  }

  /** Peers ignored for an untrusted answer, with the reason (for status). */
  distrusted(): (PeerRecord & { distrusted: { reason: string } })[] {
    return this.known().flatMap((peer) =>
      peer.distrusted ? [{ ...peer, distrusted: peer.distrusted }] : [],
    );
  }

  /** Peers discovered less than the live timeout ago that have not answered a hello yet. */
  awaitingFirstHello(now: number): boolean {
    for (const peer of this.#peers.values()) {
      if (peer.distrusted) continue;
      if (peer.lastSeenAt === null && now - peer.discoveredAt < this.liveTimeoutMs) return true;
    }
    return false;
  }

  isAlive(id: string, now: number): boolean {
    const seen = this.#peers.get(id)?.lastSeenAt;
    return seen != null && now - seen < this.liveTimeoutMs;
  }

  alivePeers(now: number): PeerRecord[] {
    return this.known().filter((peer) => this.isAlive(peer.id, now));
  }

  known(): PeerRecord[] {
    return [...this.#peers.values()].map((peer) => ({ ...peer }));
  }

  get(id: string): PeerRecord | undefined {
    const peer = this.#peers.get(id);
    return peer && { ...peer };
  }

  forget(id: string): void {
    this.#peers.delete(id);
  }
}

export type HelloCall = (peer: { url: string; id: string }, signal: AbortSignal) => Promise<HelloInfo>;

export interface ProberOptions {
  table: PeerTable;
  /** The integrator's signed GET /farm/v1/hello; must reject on a bad answer. */
  hello: HelloCall;
  intervalMs?: number;
  timeoutMs?: number;
  timers?: Timers;
  /** Called after each accepted answer, e.g. to re-run the election at once. */
  onAnswer?(info: HelloInfo): void;
}

export interface Prober {
  start(): void;
  /** One hello to every known peer that has none outstanding; resolves when they all settle. */
  round(): Promise<void>;
  stop(): Promise<void>;
}

export function createProber(options: ProberOptions): Prober {
  const { table } = options;
  const timers = options.timers ?? systemTimers;
  const intervalMs = options.intervalMs ?? PROBE_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? HELLO_TIMEOUT_MS;
  const inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let timer: TimerHandle | null = null;
  let running = false;

  const helloWithTimeout = (
    peer: { url: string; id: string },
    controller: AbortController,
  ): Promise<HelloInfo> =>
    new Promise((resolve, reject) => {
      // Enforced here too, so a hello that ignores its signal still cannot hold the peer's slot.
      const bound = timers.setTimeout(() => {
        reject(new Error(`hello timed out after ${timeoutMs} ms`));
        controller.abort();
      }, timeoutMs);
      controller.signal.addEventListener('abort', () => reject(new Error('hello aborted')), { once: true });
      options.hello(peer, controller.signal).then(
        (info) => {
          timers.clearTimeout(bound);
          resolve(info);
        },
        (error: unknown) => {
          timers.clearTimeout(bound);
          reject(error);
        },
      );
    });

  const probe = async (id: string, url: string, controller: AbortController): Promise<void> => {
    try {
      const info = await helloWithTimeout({ url, id }, controller);
      if (info.id !== id) {
        log.warn('hello answered by another node', { expected: id, answered: info.id, url });
        return;
      }
      table.markAlive(id, info, timers.now(), url);
      options.onAnswer?.(info);
    } catch (error) {
      if (error instanceof UntrustedPeerError) {
        const distrusted = table.distrust(id, url, error.message, timers.now());
        log.warn(
          distrusted === 'address'
            ? 'an address advertised for a peer did not answer as it: the peer is asked where it answered'
            : 'peer ignored: its answer is not from a member of this farm',
          { id, url, reason: error.message },
        );
        return;
      }
      log.debug('hello failed', { id, url, error: String(error) });
    }
  };

  const round = async (): Promise<void> => {
    table.refresh(timers.now());
    const calls: Promise<void>[] = [];
    for (const peer of table.known()) {
      if (inFlight.has(peer.id) || table.isDistrusted(peer.id, timers.now())) continue;
      const controller = new AbortController();
      const done = probe(peer.id, peer.url, controller).finally(() => inFlight.delete(peer.id));
      inFlight.set(peer.id, { controller, done });
      calls.push(done);
    }
    await Promise.all(calls);
  };

  const loop = (): void => {
    if (!running) return;
    void round();
    timer = timers.setTimeout(loop, intervalMs);
  };

  return {
    start() {
      if (running) return;
      running = true;
      loop();
    },
    round,
    async stop() {
      running = false;
      if (timer) timers.clearTimeout(timer);
      const pending = [...inFlight.values()];
      for (const call of pending) call.controller.abort();
      await Promise.all(pending.map((call) => call.done));
    },
  };
}

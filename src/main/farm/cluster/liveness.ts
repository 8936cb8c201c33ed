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
  advert: PeerAdvert | null;
  hello: HelloInfo | null;
  /** When its last hello answer arrived; null if it never answered. */
  lastSeenAt: number | null;
  /** When it was first heard of (advert or hello). */
  discoveredAt: number;
  /** Set when its answers could not be trusted: ignored (not alive, not waited for) until `until`. */
  distrusted: { reason: string; until: number } | null;
}

export class PeerTable {
  readonly liveTimeoutMs: number;
  readonly #peers = new Map<string, PeerRecord>();

  constructor(options: { liveTimeoutMs?: number } = {}) {
    this.liveTimeoutMs = options.liveTimeoutMs ?? LIVE_TIMEOUT_MS;
  }

  /** From discovery: the peer exists at this URL. Not a sign of life. */
  upsertAdvert(advert: PeerAdvert, now: number): void {
    const known = this.#peers.get(advert.id);
    this.#peers.set(advert.id, {
      id: advert.id,
      name: advert.name,
      url: advert.url,
      advert,
      hello: known?.hello ?? null,
      lastSeenAt: known?.lastSeenAt ?? null,
      discoveredAt: known?.discoveredAt ?? now,
      distrusted: known?.distrusted ?? null,
    });
  }

  /** From a hello answer (or any authenticated message from the peer). */
  markAlive(id: string, info: HelloInfo, now: number): void {
    const known = this.#peers.get(id);
    this.#peers.set(id, {
      id,
      name: info.name,
      url: known?.url ?? info.url,
      advert: known?.advert ?? null,
      hello: info,
      lastSeenAt: Math.max(now, known?.lastSeenAt ?? now),
      discoveredAt: known?.discoveredAt ?? now,
      distrusted: null,
    });
  }

  /** Its answer was not from a member of this farm: forget it was alive, and do not wait for it. */
  distrust(id: string, reason: string, now: number): void {
    const known = this.#peers.get(id);
    if (!known) return;
    this.#peers.set(id, {
      ...known,
      hello: null,
      lastSeenAt: null,
      distrusted: { reason, until: now + DISTRUST_MS },
    });
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
      table.markAlive(id, info, timers.now());
      options.onAnswer?.(info);
    } catch (error) {
      if (error instanceof UntrustedPeerError) {
        log.warn('peer ignored: its answer is not from a member of this farm', {
          id,
          url,
          reason: error.message,
        });
        table.distrust(id, error.message, timers.now());
        return;
      }
      log.debug('hello failed', { id, url, error: String(error) });
    }
  };

  const round = async (): Promise<void> => {
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

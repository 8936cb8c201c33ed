/**
 * mDNS discovery of the farm's nodes (bonjour-service, `_vfo._tcp`): publishes this node's advert and
 * reports every peer of the same farm and protocol, with the URL it can be reached at. mDNS never says a
 * peer died (records live for hours), so discovery only says who exists; liveness comes from hello calls.
 */
import Bonjour from 'bonjour-service';
import { LRUCache } from 'lru-cache';
import { createLogger } from '../../log/logger.ts';
import type { TimerHandle, Timers } from './clock.ts';
import { systemTimers } from './clock.ts';
import { createCoalescer } from './coalescer.ts';
import { encodeTxt, instanceName, parseService, uniqueHostName } from './txt.ts';
import type { IgnoredService, NodeAdvert, PeerAdvert } from './types.ts';

const log = createLogger('Discovery');

export const SERVICE_TYPE = 'vfo';
const DEFAULT_MIN_UPDATE_INTERVAL_MS = 1000;
const GOODBYE_WAIT_MS = 1000;
/** Adverts of this farm kept at once (a farm is a few dozen Macs; the peer table keeps 256). */
const MAX_ADVERTISED_PEERS = 256;
/** Services ignored and listed in status: enough to see what is wrong on the LAN. */
const MAX_IGNORED = 64;
/** Services the mDNS library is left to hold (see trimBrowsed). */
const MAX_BROWSED = MAX_ADVERTISED_PEERS + MAX_IGNORED;
/** "service ignored" lines logged a minute; the rest are counted in one line. */
const IGNORED_LOGS_PER_MINUTE = 20;
// Re-asking the LAN now and then recovers from a lost query or answer; backing off keeps the LAN quiet.
const REQUERY_DELAYS_MS = [1000, 3000, 9000, 27_000, 60_000];

export interface DiscoveryOptions {
  self: NodeAdvert;
  /** The multicast interface address ('127.0.0.1' in tests outside a network namespace). */
  interface?: string;
  /** The address the mDNS socket binds to ('0.0.0.0' together with `interface`). */
  bind?: string;
  /** Host name of the SRV record; by default one derived from name + short id, unique per node. */
  host?: string;
  /** A peer of this farm and protocol appeared or changed its advert. */
  onPeer(peer: PeerAdvert): void;
  /** A `_vfo._tcp` service is not one to talk to (other farm, other protocol, malformed). */
  onIgnored?(ignored: IgnoredService): void;
  minUpdateIntervalMs?: number;
  timers?: Timers;
}

export interface Discovery {
  readonly instance: string;
  /** Re-publishes the advert (role, term, free slots...), rate-limited; identity fields cannot change. */
  update(advert: NodeAdvert): void;
  /** Peers currently advertised, by instance. */
  peers(): PeerAdvert[];
  /** Services seen and ignored, with the reason. */
  ignored(): IgnoredService[];
  /** How many services the mDNS library holds (bounded: see trimBrowsed). */
  browsed(): number;
  /** Says goodbye on the LAN and closes the socket. */
  stop(): Promise<void>;
}

type BonjourService = ReturnType<Bonjour['publish']>;

function assertPublishable(advert: NodeAdvert, instance: string): void {
  const parsed = parseService(
    { instance, address: '127.0.0.1', txt: encodeTxt(advert) },
    { farm: advert.farm, proto: advert.proto },
  );
  if (parsed.kind !== 'peer')
    throw new Error(`invalid advert: ${parsed.ignored.detail ?? parsed.ignored.reason}`);
}

export function startDiscovery(options: DiscoveryOptions): Discovery {
  const timers = options.timers ?? systemTimers;
  const first = options.self;
  const instance = instanceName(first.name, first.id);
  assertPublishable(first, instance);
  const host = options.host ?? uniqueHostName(first.name, first.id);
  // Anyone on the LAN can announce services without the farm key: both lists are bounded (the least
  // recently announced go first), as the peer table is (liveness.ts).
  const peers = new LRUCache<string, PeerAdvert>({ max: MAX_ADVERTISED_PEERS });
  const ignored = new LRUCache<string, IgnoredService>({ max: MAX_IGNORED });
  let published = JSON.stringify(encodeTxt(first));
  let stopped: Promise<void> | null = null;

  const mdnsOptions = {
    ...(options.interface ? { interface: options.interface } : {}),
    ...(options.bind ? { bind: options.bind } : {}),
  };
  const bonjour = new Bonjour(mdnsOptions as ConstructorParameters<typeof Bonjour>[0], (error: unknown) =>
    log.warn('mDNS send failed', { error: String(error) }),
  );
  // multicast-dns emits 'error' for EACCES/EADDRINUSE; unheard, an EventEmitter error would kill the process.
  const socketEvents = (
    bonjour as unknown as { server?: { mdns?: { on?: (e: string, f: unknown) => void } } }
  ).server?.mdns;
  socketEvents?.on?.('error', (error: unknown) => log.error('mDNS socket error', { error: String(error) }));

  const publish = (advert: NodeAdvert): BonjourService =>
    // No probing: the name carries the node's id, so a conflict means a copied data folder, and on a
    // conflict bonjour-service would silently unpublish the node.
    bonjour.publish({
      name: instance,
      type: SERVICE_TYPE,
      port: advert.port,
      host,
      txt: encodeTxt(advert),
      probe: false,
    });
  let service = publish(first);

  const unpublish = (target: BonjourService): Promise<void> =>
    new Promise((resolve) => {
      const bound = timers.setTimeout(resolve, GOODBYE_WAIT_MS);
      target.stop(() => {
        timers.clearTimeout(bound);
        resolve();
      });
    });

  // bonjour-service 1.4.4 has no TXT update: a new TXT means goodbye + a new announcement.
  const republisher = createCoalescer<NodeAdvert>({
    minIntervalMs: options.minUpdateIntervalMs ?? DEFAULT_MIN_UPDATE_INTERVAL_MS,
    timers,
    run: async (advert) => {
      const txt = JSON.stringify(encodeTxt(advert));
      if (txt === published || stopped) return;
      await unpublish(service);
      if (stopped) return;
      service = publish(advert);
      published = txt;
      log.debug('advert republished', { instance, txt });
    },
    onError: (error) => log.warn('republish failed', { instance, error: String(error) }),
  });

  const seen = (remote: BonjourService): void => {
    const remoteInstance = String(remote.name ?? '');
    if (remoteInstance === instance) return;
    const address = remote.referer?.address ?? remote.addresses?.[0] ?? '';
    const parsed = parseService(
      { instance: remoteInstance, address, txt: remote.txt },
      { farm: first.farm, proto: first.proto },
    );
    if (parsed.kind === 'peer' && parsed.peer.id === first.id) {
      reportIgnored({ instance: remoteInstance, address, reason: 'same id as this node' });
      return;
    }
    if (!address && parsed.kind === 'peer') {
      reportIgnored({ instance: remoteInstance, address, reason: 'malformed', detail: 'address' });
      return;
    }
    if (parsed.kind === 'ignored') {
      reportIgnored(parsed.ignored);
      return;
    }
    ignored.delete(remoteInstance);
    const before = peers.get(remoteInstance);
    peers.set(remoteInstance, parsed.peer);
    if (!before || JSON.stringify(before) !== JSON.stringify(parsed.peer)) options.onPeer(parsed.peer);
  };

  function reportIgnored(reported: IgnoredService): void {
    // A node of another protocol is listed under the id it claims: never this node's own.
    const entry: IgnoredService =
      reported.incompatible?.id === first.id
        ? { instance: reported.instance, address: reported.address, reason: 'same id as this node' }
        : reported;
    peers.delete(entry.instance);
    const before = ignored.get(entry.instance);
    ignored.set(entry.instance, entry);
    if (before?.reason === entry.reason && before.detail === entry.detail) return;
    logIgnored(entry);
    options.onIgnored?.(entry);
  }

  // Anyone on the LAN can announce a thousand services a second: the log says the first of each minute.
  let logWindowStart = 0;
  let loggedInWindow = 0;
  let unlogged = 0;
  function logIgnored(entry: IgnoredService): void {
    const now = Date.now();
    if (now - logWindowStart >= 60_000) {
      if (unlogged > 0) log.info('more services ignored', { count: unlogged });
      logWindowStart = now;
      loggedInWindow = 0;
      unlogged = 0;
    }
    if (loggedInWindow++ < IGNORED_LOGS_PER_MINUTE) log.info('service ignored', { ...entry });
    else unlogged++;
  }

  const browser = bonjour.find({ type: SERVICE_TYPE });
  /**
   * bonjour-service's browser keeps every service ever announced, never expires them, and compares
   * each new advert with all of them: a flood of adverts (anyone on the LAN, no key needed) froze the
   * node's event loop for seconds at a time, its hellos went stale and the coordinator changed (found
   * by attacking the farm). Its list, the live array `services` returns, is cut back to the services
   * this node lists (peers and ignored), the others dropped oldest first; its private fqdn map (only
   * ever written) goes with them.
   */
  const trimBrowsed = (): void => {
    const listed = browser.services;
    if (listed.length <= MAX_BROWSED) return;
    const listedHere = (name: unknown) => peers.has(String(name)) || ignored.has(String(name));
    let excess = listed.length - MAX_BROWSED;
    const kept: typeof listed = [];
    const dropped: typeof listed = [];
    for (const service of listed) {
      if (excess > 0 && !listedHere(service.name)) {
        dropped.push(service);
        excess--;
      } else kept.push(service);
    }
    listed.splice(0, listed.length, ...kept);
    const fqdns = (browser as unknown as { serviceMap?: Record<string, unknown> }).serviceMap;
    for (const service of dropped) if (fqdns) delete fqdns[service.fqdn];
  };
  browser.on('up', (remote) => {
    seen(remote);
    trimBrowsed();
  });
  browser.on('txt-update', seen);
  browser.on('srv-update', seen);
  browser.on('down', (remote) => {
    // A goodbye (or the goodbye half of a republish): no longer listed, but liveness is not ours to judge.
    peers.delete(String(remote.name));
    ignored.delete(String(remote.name));
  });

  let requeryTimer: TimerHandle | null = null;
  const requery = (round: number): void => {
    const delay = REQUERY_DELAYS_MS[Math.min(round, REQUERY_DELAYS_MS.length - 1)] ?? 60_000;
    requeryTimer = timers.setTimeout(() => {
      browser.update();
      requery(round + 1);
    }, delay);
  };
  requery(0);

  const stop = async (): Promise<void> => {
    if (requeryTimer) timers.clearTimeout(requeryTimer);
    republisher.cancel();
    await republisher.idle();
    browser.stop();
    await unpublish(service);
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
  };

  return {
    instance,
    update(advert) {
      if (advert.id !== first.id || advert.name !== first.name || advert.farm !== first.farm) {
        throw new Error('update cannot change the node id, name or farm');
      }
      assertPublishable(advert, instance);
      republisher.push(advert);
    },
    peers: () => [...peers.values()],
    ignored: () => [...ignored.values()],
    browsed: () => browser.services.length,
    stop() {
      stopped ??= stop();
      return stopped;
    },
  };
}

import { randomBytes } from 'node:crypto';
import Bonjour from 'bonjour-service';
import { afterEach, describe, expect, it } from 'vitest';
import type { Discovery } from './discovery.ts';
import { startDiscovery } from './discovery.ts';
import { encodeTxt } from './txt.ts';
import type { IgnoredService, NodeAdvert, PeerAdvert } from './types.ts';

// Loopback only (docs PLATFORM.md): multicast out of 127.0.0.1, receive on every address.
const LOOPBACK = { interface: '127.0.0.1', bind: '0.0.0.0' };

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function advert(farm: string, fields: Partial<NodeAdvert> = {}): NodeAdvert {
  const id = hex(8);
  return {
    id,
    name: `disc-test-${id.slice(0, 4)}`,
    farm,
    role: 'candidate',
    term: 0,
    proto: 1,
    port: 40_000 + (randomBytes(2).readUInt16BE() % 20_000),
    encoders: ['libx264'],
    cores: 2,
    slots: 1,
    ...fields,
  };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

interface Recorder {
  discovery: Discovery;
  peers: PeerAdvert[];
  ignored: IgnoredService[];
}

function node(self: NodeAdvert, minUpdateIntervalMs?: number): Recorder {
  const peers: PeerAdvert[] = [];
  const ignored: IgnoredService[] = [];
  const discovery = startDiscovery({
    self,
    ...LOOPBACK,
    ...(minUpdateIntervalMs ? { minUpdateIntervalMs } : {}),
    onPeer: (p) => peers.push(p),
    onIgnored: (i) => ignored.push(i),
  });
  cleanups.push(() => discovery.stop());
  return { discovery, peers, ignored };
}

/** A foreign publisher speaking raw TXT, as a node of another version or a broken one would. */
function rawPublisher(name: string, txt: Record<string, string>): void {
  const bonjour = new Bonjour(LOOPBACK as ConstructorParameters<typeof Bonjour>[0]);
  bonjour.publish({ name, type: 'vfo', port: 40_000, host: `${name}.local`, txt, probe: false });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        bonjour.unpublishAll(() => bonjour.destroy(() => resolve()));
      }),
  );
}

describe('discovery over mDNS on loopback', () => {
  it('finds the peers of its farm at 127.0.0.1 and ignores the rest with a reason', async () => {
    const farm = hex(8);
    const a = node(advert(farm));
    const bSelf = advert(farm, { role: 'coordinator', term: 3, encoders: ['libx264', 'hevc_videotoolbox'] });
    const b = node(bSelf);
    const outsider = node(advert(hex(8)));
    const tag = hex(3);
    rawPublisher(`future-${tag}`, { ...encodeTxt(advert(farm)), proto: '2' });
    rawPublisher(`broken-${tag}`, { ...encodeTxt(advert(farm)), port: 'eighty' });
    // Only the services this test published: another suite may be advertising on loopback too.
    const ours = new Set([outsider.discovery.instance, `future-${tag}`, `broken-${tag}`]);

    const seenB = await waitFor(() => a.peers.find((p) => p.id === bSelf.id));
    expect(seenB).toMatchObject({
      name: bSelf.name,
      role: 'coordinator',
      term: 3,
      encoders: ['libx264', 'hevc_videotoolbox'],
      address: '127.0.0.1',
      url: `http://127.0.0.1:${bSelf.port}`,
    });
    await waitFor(() => b.peers.some((p) => p.instance === a.discovery.instance));
    const reasons = await waitFor(() => {
      const mine = a.ignored.filter((i) => ours.has(i.instance));
      return mine.length >= 3 ? mine : undefined;
    });
    expect(reasons.map((i) => i.reason).sort()).toEqual(['malformed', 'other farm', 'protocol 2']);
    expect(reasons.find((i) => i.reason === 'malformed')?.detail).toBe('port');
    expect(a.discovery.ignored().map((i) => i.reason)).toContain('other farm');
    // Peers of this farm only: never itself, never the ignored ones.
    expect(new Set(a.peers.map((p) => p.farm))).toEqual(new Set([farm]));
    expect(a.discovery.peers().map((p) => p.id)).toEqual([bSelf.id]);
  });

  it('republishes changed TXT, coalescing a burst of updates into the latest', async () => {
    const farm = hex(8);
    const a = node(advert(farm));
    const bSelf = advert(farm);
    const b = node(bSelf, 400);
    await waitFor(() => a.peers.find((p) => p.id === bSelf.id));
    for (let term = 1; term <= 5; term++) {
      b.discovery.update({ ...bSelf, role: 'coordinator', term, slots: 0 });
    }
    const latest = await waitFor(() => a.peers.find((p) => p.id === bSelf.id && p.term === 5));
    expect(latest).toMatchObject({ role: 'coordinator', slots: 0 });
    const terms = a.peers.filter((p) => p.id === bSelf.id).map((p) => p.term);
    // The first update goes out at once, the burst after it as one republish with the latest value.
    expect(terms).toEqual([0, 1, 5]);
    expect(() => b.discovery.update({ ...bSelf, name: 'renamed' })).toThrow(/cannot change/);
    expect(() => b.discovery.update({ ...bSelf, term: -1 })).toThrow(/invalid advert/);
  });

  // Found by attacking the UI's data: thousands of unsigned adverts filled the ignored list without end
  // (it went out whole in every status and farm event), and one of another protocol could claim this
  // node's own id and be listed under it.
  it('keeps a bounded list of ignored services, and none under its own id', async () => {
    const farm = hex(8);
    const selfAdvert = advert(farm);
    const a = node(selfAdvert);
    const tag = hex(3);
    const bonjour = new Bonjour(LOOPBACK as ConstructorParameters<typeof Bonjour>[0]);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          bonjour.unpublishAll(() => bonjour.destroy(() => resolve()));
        }),
    );
    const publish = (name: string, txt: Record<string, string>) =>
      bonjour.publish({ name, type: 'vfo', port: 40_000, host: `${name}.local`, txt, probe: false });
    publish(`spoof-${tag}`, { ...encodeTxt({ ...selfAdvert }), proto: '2' });
    for (let i = 0; i < 100; i++) publish(`flood-${tag}-${i}`, encodeTxt(advert(hex(8))));
    await waitFor(() => a.ignored.filter((i) => i.instance.startsWith(`flood-${tag}`)).length > 70, 15_000);
    expect(a.discovery.ignored().length).toBeLessThanOrEqual(64);
    const spoof = await waitFor(() => a.ignored.find((i) => i.instance === `spoof-${tag}`));
    expect(spoof).toMatchObject({ reason: 'same id as this node' });
    expect(spoof.incompatible).toBeUndefined();
  }, 30_000);

  // Found by attacking the farm: bonjour-service kept every service ever announced and compared each
  // advert with all of them, and a flood froze the node's event loop and moved the election.
  it('leaves the mDNS library holding a bounded list, however many services are announced', async () => {
    const farm = hex(8);
    const a = node(advert(farm));
    const peerAdvert = advert(farm);
    node(peerAdvert);
    const tag = hex(3);
    await waitFor(() => a.peers.find((p) => p.id === peerAdvert.id));
    // Five publishers of 100 each: one answering for 500 passes the largest UDP packet.
    for (let p = 0; p < 5; p++) {
      const bonjour = new Bonjour(LOOPBACK as ConstructorParameters<typeof Bonjour>[0]);
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            bonjour.unpublishAll(() => bonjour.destroy(() => resolve()));
          }),
      );
      for (let i = 0; i < 100; i++)
        bonjour.publish({
          name: `flood-${tag}-${p}-${i}`,
          type: 'vfo',
          port: 40_000,
          host: `flood-${tag}-${p}-${i}.local`,
          txt: encodeTxt(advert(hex(8))),
          probe: false,
        });
    }
    const flood = () =>
      new Set(a.ignored.filter((i) => i.instance.startsWith(`flood-${tag}`)).map((i) => i.instance));
    await waitFor(() => flood().size >= 450 || undefined, 30_000);
    expect(a.discovery.browsed()).toBeLessThanOrEqual(256 + 64);
    // The farm's own peer is still listed.
    expect(a.discovery.peers().map((p) => p.id)).toContain(peerAdvert.id);
  }, 60_000);

  it('says goodbye on stop', async () => {
    const farm = hex(8);
    const a = node(advert(farm));
    const bSelf = advert(farm);
    const b = node(bSelf);
    await waitFor(() => a.discovery.peers().some((p) => p.id === bSelf.id));
    await b.discovery.stop();
    await waitFor(() => !a.discovery.peers().some((p) => p.id === bSelf.id));
  });
});

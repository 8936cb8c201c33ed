/**
 * Farm trust 3 — unauthenticated answers. Anyone on the LAN can announce `_vfo._tcp` with the farm's
 * public id (it is in every node's advert) and answer hellos claiming to be the coordinator of a high
 * term. A real node hears such a host through the real mDNS on loopback, asks it hello, and ignores it
 * (listed with the reason) because its answer is not signed by a member of the farm; the node never
 * follows it and never counts it as a node.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import Bonjour from 'bonjour-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ephemeralIdentity,
  farmKeyFromText,
  generateFarmKey,
  signReply,
} from '../../src/main/farm/net/index.ts';
import {
  type FarmKeyFile,
  logEvents,
  makeFarmKey,
  type NodeProcess,
  startNode,
  statusOf,
  stopFarm,
  until,
} from '../farm/farm-support.ts';
import { tempDir } from '../support/vfo.ts';

const LOOPBACK = { interface: '127.0.0.1', bind: '0.0.0.0' };

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let oscar: NodeProcess;
const bonjour = new Bonjour(LOOPBACK as ConstructorParameters<typeof Bonjour>[0]);
const servers: Server[] = [];

/** The farm id and port a real node advertises, read off the LAN as any host could. */
function advertOf(node: NodeProcess): Promise<Record<string, string>> {
  return new Promise((resolve) => {
    const browser = bonjour.find({ type: 'vfo' }, (service) => {
      const txt = service.txt as Record<string, string>;
      if (txt.id === node.id) {
        browser.stop();
        resolve(txt);
      }
    });
  });
}

/**
 * A host without the farm key that claims to be the coordinator of term 999. `signAs` makes it sign
 * its answers with a key pair of its own, "admitted" by a key it made up.
 */
async function fakeCoordinator(id: string, farm: string, signAs: 'nothing' | 'own key'): Promise<void> {
  const impostor = ephemeralIdentity(farmKeyFromText(generateFarmKey()));
  const server = createServer((request, response) => {
    const body = JSON.stringify({
      id,
      name: `fake-${id}`,
      role: 'coordinator',
      term: 999,
      coordinatorId: id,
      url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
      capabilities: { encoders: ['libx264'], cores: 64, slots: 64 },
      running: 0,
    });
    const nonce = String(request.headers['x-vfo-nonce'] ?? '');
    const signed =
      signAs === 'own key'
        ? signReply(impostor, {
            status: 200,
            contentType: 'application/json',
            bodySha256: createHash('sha256').update(body).digest('hex'),
            requestNonce: nonce,
            requester: String(request.headers['x-vfo-node'] ?? ''),
          })
        : {};
    response.writeHead(200, { 'content-type': 'application/json', ...signed });
    response.end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  bonjour.publish({
    name: `fake-${id}`,
    type: 'vfo',
    port,
    host: `fake-${id}.local`,
    probe: false,
    txt: {
      id,
      farm,
      role: 'coordinator',
      term: '999',
      proto: '1',
      port: String(port),
      enc: 'libx264',
      cores: '64',
      slots: '64',
    },
  });
}

beforeAll(async () => {
  dir = await tempDir('vfo-fake-peer-');
  key = await makeFarmKey(dir.path);
  oscar = await startNode({ root: dir.path, name: 'oscar', key });
  const advert = await advertOf(oscar);
  await fakeCoordinator('fakeunsigned', advert.farm as string, 'nothing');
  await fakeCoordinator('fakeselfsigned', advert.farm as string, 'own key');
});

afterAll(async () => {
  await new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()));
  bonjour.destroy();
  for (const server of servers) server.close();
  await stopFarm(dir, key);
});

describe('a host that claims to be coordinator without the farm key', () => {
  it('is ignored with the reason, never followed, never a node of the farm', async () => {
    const status = await until(
      async () => {
        const s = await statusOf(key, oscar);
        const fakes = s.ignored.filter((i) => i.name.startsWith('fake-'));
        return fakes.length === 2 ? s : undefined;
      },
      20_000,
      'oscar to list both fakes as ignored',
    );
    for (const name of ['fake-fakeunsigned', 'fake-fakeselfsigned']) {
      const entry = status.ignored.find((i) => i.name === name);
      expect(entry?.reason).toMatch(
        /^unauthenticated: its hello answer is not signed by a member of this farm/,
      );
    }
    // Several hello rounds later, oscar still leads its farm of one, at a term nowhere near 999.
    await new Promise((r) => setTimeout(r, 3_000));
    const later = await statusOf(key, oscar);
    expect(later.coordinator?.id).toBe(oscar.id);
    expect(later.coordinator?.term).toBeLessThan(999);
    expect(later.nodes.map((n) => n.id)).toEqual([oscar.id]);
    expect(later.ignored.filter((i) => i.name.startsWith('fake-'))).toHaveLength(2);
    for (const event of logEvents(oscar, 'coordinator')) {
      expect(JSON.stringify(event)).not.toContain('fake');
    }
    expect(
      logEvents(oscar, 'peer ignored: its answer is not from a member of this farm').length,
    ).toBeGreaterThan(0);
  });
});

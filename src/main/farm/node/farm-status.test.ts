import { describe, expect, it } from 'vitest';
import type { PeerRecord } from '../cluster/liveness.ts';
import type { IgnoredService } from '../cluster/types.ts';
import { farmStatus, type StatusInputs } from './farm-status.ts';

const NOW = 1_000_000;
const peer = (id: string, name: string): PeerRecord =>
  ({ id, name, url: `http://10.0.0.2:4870`, lastSeenAt: NOW - 100, hello: null, advert: null }) as never;
const claim = (id: string, name: string): IgnoredService => ({
  instance: `${name}-${id.slice(0, 8)}`,
  address: '10.0.0.66',
  reason: 'protocol 2',
  incompatible: { id, protocol: 2, version: null, url: null },
});

function statusWith(ignored: IgnoredService[], peers: PeerRecord[] = [peer('peer1111bbbb', 'render-mac-2')]) {
  const inputs = {
    self: {
      id: 'self0000aaaa',
      name: 'victim-node',
      url: 'http://10.0.0.1:4870',
      version: '1',
      protocol: 1,
      mode: { state: 'online', reason: null },
      running: 0,
      hello: { capabilities: { encoders: ['libx264'], cores: 2, slots: 1 } },
    },
    election: { coordinator: { id: 'self0000aaaa', term: 1 } },
    peers,
    ignored,
    coordinatorUrl: 'http://10.0.0.1:4870',
    queue: {
      tasks: [{ id: 't', originNodeId: 'self0000aaaa', workerId: 'peer1111bbbb' }],
      blocks: [{ workerId: 'peer1111bbbb', jobId: 'j', failures: 3 }],
    },
    activity: undefined,
    onlineMs: 5000,
    now: NOW,
  } as unknown as StatusInputs;
  return farmStatus(inputs);
}

// Found by attacking the UI's data: an unsigned mDNS advert of "another protocol" claiming a member's
// id (or this node's) renamed it in the Tasks and Blocked tables, where operators act on nodes.
describe('farm status and unsigned adverts', () => {
  it('lists no node of another protocol under a member’s id, and names tasks by members only', () => {
    const status = statusWith([
      claim('peer1111bbbb', 'Mallory'),
      claim('self0000aaaa', 'SelfSpoof'),
      claim('other2222cccc', 'old-mac'),
    ]);
    expect(status.nodes.map((n) => [n.name, n.status])).toEqual([
      ['victim-node', 'online'],
      ['render-mac-2', 'online'],
      ['old-mac', 'incompatible'],
    ]);
    expect(status.tasks.map((t) => [t.originName, t.workerName])).toEqual([['victim-node', 'render-mac-2']]);
    expect(status.blocks.map((b) => b.workerName)).toEqual(['render-mac-2']);
  });
});

// Found by reviewing the UI: a node killed while encoding two parts was listed "offline · encoding 2
// videos" with its last free slots, for as long as anyone watched.
describe('farm status of a node that stopped answering', () => {
  it('lists it as running nothing, with no free slot, and keeps what it is made of', () => {
    const hello = { running: 2, capabilities: { encoders: ['libx264'], cores: 8, slots: 1 } };
    const gone = { ...peer('peer1111bbbb', 'render-mac-2'), lastSeenAt: NOW - 60_000, hello } as PeerRecord;
    const live = { ...peer('peer3333dddd', 'render-mac-3'), hello } as PeerRecord;
    const nodes = statusWith([], [gone, live]).nodes.map((n) => [
      n.name,
      n.status,
      n.running,
      n.capabilities,
    ]);
    expect(nodes.slice(1)).toEqual([
      ['render-mac-2', 'offline', 0, { encoders: ['libx264'], cores: 8, slots: 0 }],
      ['render-mac-3', 'online', 2, { encoders: ['libx264'], cores: 8, slots: 1 }],
    ]);
  });
});

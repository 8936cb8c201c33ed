/** The farm as one node sees it in Redis mode: the live nodes' records and the queue's counts. */
import type { FarmStatus, NodeView } from '../../../shared/contract.ts';
import type { PresenceRecord } from './presence.ts';
import type { QueueCounts } from './redis-origin-queue.ts';

export function redisFarmStatus(input: {
  self: PresenceRecord;
  nodes: PresenceRecord[];
  queue: QueueCounts;
}): FarmStatus {
  const view = (record: PresenceRecord): NodeView => ({
    id: record.id,
    name: record.name,
    // No node coordinates in Redis mode: every node is a worker (and the origin of its own jobs).
    role: 'worker',
    status: record.status,
    reason: record.reason,
    version: record.version,
    protocol: record.protocol,
    url: record.url,
    capabilities: { encoders: record.encoders, cores: record.cores, slots: record.slots },
    running: record.running,
  });
  return {
    self: input.self.id,
    coordinator: null,
    nodes: [view(input.self), ...input.nodes.filter((n) => n.id !== input.self.id).map(view)],
    ignored: [],
    queue: { backend: 'redis', ...input.queue },
    // Tasks and blocks are the LAN coordinator's views; Redis mode has no coordinator (FARM.md).
    tasks: [],
    blocks: [],
    blockLimit: 0,
    // Alerts and running encodes are the LAN coordinator's too.
    alerts: [],
    encodes: [],
  };
}

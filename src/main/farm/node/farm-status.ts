/** The farm as one node sees it (`vfo status`, the GUI's Farm view), built from its parts' state. */
import { z } from 'zod';
import {
  AlertSchema,
  type FarmBlock,
  type FarmStatus,
  type FarmTaskView,
  type NodeView,
  RunningEncodeSchema,
} from '../../../shared/contract.ts';
import type { ElectionState } from '../cluster/election.ts';
import type { HelloInfo } from '../cluster/hello-schema.ts';
import type { PeerRecord } from '../cluster/liveness.ts';
import type { IgnoredService } from '../cluster/types.ts';
import type { QueueStats, QueueView } from '../queue/index.ts';

/** Whether a node takes work now and why not: what its hello says as `mode`. */
export type NodeMode = NonNullable<HelloInfo['mode']>;

/** The coordinator's alerts and running encodes (GET /farm/v1/activity): checked as it arrives. */
export const FarmActivitySchema = z.object({
  alerts: z.array(AlertSchema).max(1000),
  encodes: z.array(RunningEncodeSchema).max(1000),
});
export type FarmActivity = z.infer<typeof FarmActivitySchema>;

export interface StatusInputs {
  self: {
    id: string;
    name: string;
    url: string;
    version: string;
    protocol: number;
    mode: NodeMode;
    running: number;
    hello: HelloInfo;
  };
  election: ElectionState;
  peers: PeerRecord[];
  ignored: IgnoredService[];
  coordinatorUrl: string | null;
  /** The coordinator's queue (counts and view), when it answered. */
  queue: (Partial<QueueStats> & Partial<QueueView>) | undefined;
  /** The coordinator's alerts and running encodes, when known. */
  activity: FarmActivity | undefined;
  /** A peer heard from within this long counts as online. */
  onlineMs: number;
  now?: number;
}

export function farmStatus(inputs: StatusInputs): FarmStatus {
  const { self, election } = inputs;
  const now = inputs.now ?? Date.now();
  const coordinatorId = election.coordinator?.id ?? null;
  const roleOf = (id: string): NodeView['role'] => (id === coordinatorId ? 'coordinator' : 'worker');
  const selfView: NodeView = {
    id: self.id,
    name: self.name,
    role: roleOf(self.id),
    status: self.mode.state,
    reason: self.mode.reason,
    version: self.version,
    protocol: self.protocol,
    url: self.url,
    capabilities: self.hello.capabilities,
    running: self.running,
  };
  const peerViews = inputs.peers.map((p): NodeView => {
    const online = p.lastSeenAt !== null && now - p.lastSeenAt < inputs.onlineMs;
    const protocol = p.hello?.protocol ?? p.advert?.proto ?? null;
    const incompatible = protocol !== null && protocol !== self.protocol;
    return {
      id: p.id,
      name: p.name,
      role: roleOf(p.id),
      status: incompatible ? 'incompatible' : online ? (p.hello?.mode?.state ?? 'online') : 'offline',
      reason: incompatible
        ? protocolReason(protocol, self.protocol)
        : online
          ? (p.hello?.mode?.reason ?? null)
          : null,
      version: p.hello?.version ?? p.advert?.version ?? null,
      protocol,
      url: p.url,
      // What a node last said it runs and has free holds only while it answers: a node killed mid-encode
      // was listed "offline · encoding 2 videos" for good (found by reviewing the UI).
      capabilities: {
        encoders: p.hello?.capabilities.encoders ?? p.advert?.encoders ?? [],
        cores: p.hello?.capabilities.cores ?? p.advert?.cores ?? 0,
        slots: online ? (p.hello?.capabilities.slots ?? 0) : 0,
      },
      running: online ? (p.hello?.running ?? 0) : 0,
    };
  });
  // Nodes of this farm that speak another protocol are nodes too, only ones nobody works with. Their
  // adverts are unsigned: one claiming a member's id (or this node's) is not listed, so anyone on the
  // LAN cannot rename a real node in the farm's tables.
  const members = new Set([selfView.id, ...peerViews.map((p) => p.id)]);
  const incompatibleViews = inputs.ignored.flatMap((i): NodeView[] =>
    i.incompatible && !members.has(i.incompatible.id)
      ? [
          {
            id: i.incompatible.id,
            name: nameOfInstance(i.instance, i.incompatible.id),
            role: 'worker',
            status: 'incompatible',
            reason: protocolReason(i.incompatible.protocol, self.protocol),
            version: i.incompatible.version,
            protocol: i.incompatible.protocol,
            url: i.incompatible.url ?? '',
            capabilities: { encoders: [], cores: 0, slots: 0 },
            running: 0,
          },
        ]
      : [],
  );
  const nodes = [selfView, ...peerViews, ...incompatibleViews];
  // Tasks and blocks name members only (incompatible nodes do no work): their names, first one wins.
  const names = new Map<string, string>();
  for (const n of [selfView, ...peerViews]) if (!names.has(n.id)) names.set(n.id, n.name);
  const nameOf = (id: string | null) => (id === null ? null : (names.get(id) ?? null));
  const { queued = 0, running = 0, done = 0, failed = 0 } = inputs.queue ?? {};
  return {
    self: self.id,
    coordinator:
      election.coordinator && inputs.coordinatorUrl
        ? { id: election.coordinator.id, url: inputs.coordinatorUrl, term: election.coordinator.term }
        : null,
    nodes,
    ignored: inputs.ignored
      .filter((i) => !i.incompatible)
      .map((i) => ({
        name: i.instance,
        reason: i.detail ? `${i.reason}: ${i.detail}` : i.reason,
      })),
    queue: { backend: 'lan', queued, running, done, failed },
    alerts: inputs.activity?.alerts ?? [],
    encodes: inputs.activity?.encodes ?? [],
    tasks: (inputs.queue?.tasks ?? []).map(
      (t): FarmTaskView => ({
        ...t,
        originName: nameOf(t.originNodeId),
        workerName: nameOf(t.workerId),
      }),
    ),
    blocks: (inputs.queue?.blocks ?? []).map((b): FarmBlock => ({ ...b, workerName: nameOf(b.workerId) })),
    blockLimit: inputs.queue?.blockLimit ?? 0,
  };
}

function protocolReason(theirs: number, ours: number): string {
  return `speaks farm protocol ${theirs}; this node speaks ${ours}: it gets no work`;
}

/** mDNS instance = node name + "-" + the first 8 digits of its id (txt.ts). */
function nameOfInstance(instance: string, id: string): string {
  const suffix = `-${id.slice(0, 8)}`;
  return instance.endsWith(suffix) && instance.length > suffix.length
    ? instance.slice(0, -suffix.length)
    : instance;
}

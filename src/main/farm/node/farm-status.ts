/** The farm as one node sees it (`vfo status`, the GUI's Farm view), built from its parts' state. */
import type { Alert, FarmStatus, NodeView, RunningEncode } from '../../../shared/contract.ts';
import type { ElectionState } from '../cluster/election.ts';
import type { PeerRecord } from '../cluster/liveness.ts';
import type { HelloInfo, IgnoredService } from '../cluster/types.ts';

export interface StatusInputs {
  self: {
    id: string;
    name: string;
    url: string;
    worker: { paused: boolean; draining: boolean; runningCount(): number };
    hello: HelloInfo;
  };
  election: ElectionState;
  peers: PeerRecord[];
  ignored: IgnoredService[];
  coordinatorUrl: string | null;
  /** The coordinator's queue counts, when known. */
  queue: Partial<FarmStatus['queue']> | undefined;
  /** The coordinator's alerts and running encodes, when known. */
  activity: { alerts: Alert[]; encodes: RunningEncode[] } | undefined;
  /** A peer heard from within this long counts as online. */
  onlineMs: number;
  now?: number;
}

export function farmStatus(inputs: StatusInputs): FarmStatus {
  const { self, election } = inputs;
  const now = inputs.now ?? Date.now();
  const selfView: NodeView = {
    id: self.id,
    name: self.name,
    role: election.advertisedRole,
    status: self.worker.paused ? 'paused' : self.worker.draining ? 'draining' : 'online',
    url: self.url,
    capabilities: self.hello.capabilities,
    running: self.worker.runningCount(),
  };
  const peerViews = inputs.peers.map(
    (p): NodeView => ({
      id: p.id,
      name: p.name,
      role: p.hello?.role ?? p.advert?.role ?? 'candidate',
      status: p.lastSeenAt !== null && now - p.lastSeenAt < inputs.onlineMs ? 'online' : 'offline',
      url: p.url,
      capabilities: p.hello?.capabilities ?? {
        encoders: p.advert?.encoders ?? [],
        cores: p.advert?.cores ?? 0,
        slots: 0,
      },
      running: p.hello?.running ?? 0,
    }),
  );
  const { queued = 0, running = 0, done = 0, failed = 0 } = inputs.queue ?? {};
  return {
    self: self.id,
    coordinator:
      election.coordinator && inputs.coordinatorUrl
        ? { id: election.coordinator.id, url: inputs.coordinatorUrl, term: election.coordinator.term }
        : null,
    nodes: [selfView, ...peerViews],
    ignored: inputs.ignored.map((i) => ({
      name: i.instance,
      reason: i.detail ? `${i.reason}: ${i.detail}` : i.reason,
    })),
    queue: { queued, running, done, failed },
    alerts: inputs.activity?.alerts ?? [],
    encodes: inputs.activity?.encodes ?? [],
  };
}

import type { FarmStatus } from '../../../../shared/contract.ts';
import { LoadFailed } from '../../components/LoadFailed.tsx';
import { routeToHash } from '../../lib/routes.ts';
import { useFarmStore } from '../../stores/farm-store.ts';
import { AlertList } from './AlertList.tsx';
import { BlockTable } from './BlockTable.tsx';
import { EncodeTable } from './EncodeTable.tsx';
import { NodeTable } from './NodeTable.tsx';
import { TaskTable } from './TaskTable.tsx';

function QueueCounts({ queue }: { queue: FarmStatus['queue'] }) {
  return (
    <dl className="counts" aria-label="Farm queue" data-testid="farm-queue">
      {(['queued', 'running', 'done', 'failed'] as const).map((key) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd data-testid={`queue-${key}`}>{queue[key]}</dd>
        </div>
      ))}
    </dl>
  );
}

function PauseButton({ status }: { status: FarmStatus }) {
  const setPaused = useFarmStore((state) => state.setPaused);
  const changing = useFarmStore((state) => state.changingPause);
  const self = status.nodes.find((node) => node.id === status.self);
  if (!self) return null;
  const paused = self.status === 'paused';
  return (
    <button type="button" disabled={changing} onClick={() => void setPaused(!paused)}>
      {paused ? 'Resume encoding on this node' : 'Pause encoding on this node'}
    </button>
  );
}

export function FarmScreen() {
  const status = useFarmStore((state) => state.status);
  const loadFailed = useFarmStore((state) => state.loadFailed);
  const load = useFarmStore((state) => state.load);
  if (!status)
    return loadFailed ? (
      <LoadFailed what="The farm" onRetry={() => void load()} />
    ) : (
      <p className="muted">Loading the farm…</p>
    );
  const coordinator = status.nodes.find((node) => node.id === status.coordinator?.id);
  return (
    <>
      <h1>Farm</h1>
      <section className="panel" aria-labelledby="queue-heading">
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h2 id="queue-heading" style={{ margin: 0 }}>
            Queue
          </h2>
          <PauseButton status={status} />
        </div>
        <QueueCounts queue={status.queue} />
        <p className="muted" data-testid="coordinator">
          {status.coordinator
            ? `Coordinator: ${coordinator?.name ?? status.coordinator.id} (term ${status.coordinator.term})`
            : 'No coordinator yet: the nodes are electing one.'}
        </p>
      </section>
      <h2>Alerts</h2>
      <AlertList alerts={status.alerts} />
      <h2>Running encodes</h2>
      <EncodeTable status={status} />
      <p>
        <a href={routeToHash({ screen: 'dashboard' })}>Dashboard: the last hours in charts →</a>
      </p>
      <h2>Nodes</h2>
      <NodeTable status={status} />
      <h2>Tasks</h2>
      <TaskTable status={status} />
      <h2>Blocked workers</h2>
      <BlockTable status={status} />
      <h2>Ignored nodes</h2>
      {status.ignored.length === 0 ? (
        <p className="muted">None: every node seen on the network belongs to this farm.</p>
      ) : (
        <ul aria-label="Ignored nodes" data-testid="farm-ignored">
          {status.ignored.map((node) => (
            <li key={`${node.name}-${node.reason}`}>
              {node.name} — <span className="muted">{node.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

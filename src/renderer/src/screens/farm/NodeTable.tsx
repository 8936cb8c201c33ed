import type { FarmStatus, NodeView } from '../../../../shared/contract.ts';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { type NodeAction, useFarmStore } from '../../stores/farm-store.ts';

function CurrentWork({ node }: { node: NodeView }) {
  if (node.running === 0) return <span className="muted">idle</span>;
  return <span>encoding {node.running === 1 ? '1 video' : `${node.running} videos`}</span>;
}

/** Pause, drain or resume any node of the farm (not one of another protocol: it cannot be spoken to). */
function NodeControls({ node }: { node: NodeView }) {
  const control = useFarmStore((state) => state.control);
  const busy = useFarmStore((state) => Boolean(state.pending[`node:${node.id}`]));
  if (node.status === 'incompatible' || node.status === 'offline') return null;
  const button = (action: NodeAction, label: string) => (
    <button
      type="button"
      key={action}
      disabled={busy}
      data-testid={`node-${action}`}
      onClick={() => void control(node.id, action)}
    >
      {label}
    </button>
  );
  const stopped = node.status === 'paused' || node.status === 'draining';
  return (
    <div className="row">
      {stopped ? button('resume', 'Resume') : [button('pause', 'Pause'), button('drain', 'Drain')]}
    </div>
  );
}

function columnsFor(status: FarmStatus): Column<NodeView>[] {
  return [
    {
      header: 'Node',
      rowHeader: true,
      cell: (node) => (
        <>
          {node.name}
          {node.id === status.self ? <span className="muted"> (this node)</span> : null}
          <div className="muted">
            <small>{node.url}</small>
          </div>
        </>
      ),
    },
    { header: 'Role', cell: (node) => <StatusBadge status={node.role} /> },
    {
      header: 'Status',
      cell: (node) => (
        <>
          <StatusBadge status={node.status} />
          {node.reason ? (
            <div className="muted">
              <small>{node.reason}</small>
            </div>
          ) : null}
        </>
      ),
    },
    {
      header: 'Version',
      cell: (node) => (
        <>
          {node.version ?? <span className="muted">unknown</span>}
          <span className="muted"> · protocol {node.protocol ?? '?'}</span>
        </>
      ),
    },
    {
      // capabilities.slots are the free ones: "2 / 0" read as two encodes on no slots.
      header: 'Load',
      cell: (node) => (
        <>
          {node.running} running · {node.capabilities.slots} free
          <span className="muted"> · {node.capabilities.cores} cores</span>
        </>
      ),
    },
    {
      header: 'Encoders',
      cell: (node) => node.capabilities.encoders.join(', ') || <span className="muted">none</span>,
    },
    { header: 'Current work', cell: (node) => <CurrentWork node={node} /> },
    { header: 'Controls', hideHeader: true, cell: (node) => <NodeControls node={node} /> },
  ];
}

export function NodeTable({ status }: { status: FarmStatus }) {
  return (
    <DataTable
      label="Nodes"
      testId="farm-nodes"
      columns={columnsFor(status)}
      rows={status.nodes}
      rowKey={(node) => node.id}
      rowTestId="farm-node"
      rowData={(node) => ({
        'node-name': node.name,
        role: node.role,
        coordinator: String(node.id === (status.coordinator?.id ?? null)),
      })}
    />
  );
}

import type { FarmStatus, NodeView } from '../../../../shared/contract.ts';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';

function CurrentWork({ node }: { node: NodeView }) {
  if (node.running === 0) return <span className="muted">idle</span>;
  return <span>encoding {node.running === 1 ? '1 video' : `${node.running} videos`}</span>;
}

function columnsFor(status: FarmStatus): Column<NodeView>[] {
  const isCoordinator = (node: NodeView) => node.id === status.coordinator?.id;
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
    {
      header: 'Role',
      cell: (node) => (
        <>
          <StatusBadge status={node.role} />
          {isCoordinator(node) && node.role !== 'coordinator' ? (
            <span className="badge coordinator">coordinator</span>
          ) : null}
        </>
      ),
    },
    { header: 'Status', cell: (node) => <StatusBadge status={node.status} /> },
    {
      header: 'Load (running / slots)',
      cell: (node) => (
        <>
          {node.running} / {node.capabilities.slots}
          <span className="muted"> · {node.capabilities.cores} cores</span>
        </>
      ),
    },
    {
      header: 'Encoders',
      cell: (node) => node.capabilities.encoders.join(', ') || <span className="muted">none</span>,
    },
    { header: 'Current work', cell: (node) => <CurrentWork node={node} /> },
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

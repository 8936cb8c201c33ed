import type { FarmStatus, NodeView } from '../../../../shared/contract.ts';
import { StatusBadge } from '../../components/StatusBadge.tsx';

function CurrentWork({ node }: { node: NodeView }) {
  if (node.running === 0) return <span className="muted">idle</span>;
  return <span>encoding {node.running === 1 ? '1 video' : `${node.running} videos`}</span>;
}

export function NodeTable({ status }: { status: FarmStatus }) {
  const coordinatorId = status.coordinator?.id ?? null;
  return (
    <table aria-label="Nodes" data-testid="farm-nodes">
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Role</th>
          <th scope="col">Status</th>
          <th scope="col">Load (running / slots)</th>
          <th scope="col">Encoders</th>
          <th scope="col">Current work</th>
        </tr>
      </thead>
      <tbody>
        {status.nodes.map((node) => (
          <tr
            key={node.id}
            data-testid="farm-node"
            data-node-name={node.name}
            data-role={node.role}
            data-coordinator={String(node.id === coordinatorId)}
          >
            <th scope="row">
              {node.name}
              {node.id === status.self ? <span className="muted"> (this node)</span> : null}
              <div className="muted">
                <small>{node.url}</small>
              </div>
            </th>
            <td>
              <StatusBadge status={node.role} />
              {node.id === coordinatorId && node.role !== 'coordinator' ? (
                <span className="badge coordinator">coordinator</span>
              ) : null}
            </td>
            <td>
              <StatusBadge status={node.status} />
            </td>
            <td>
              {node.running} / {node.capabilities.slots}
              <span className="muted"> · {node.capabilities.cores} cores</span>
            </td>
            <td>{node.capabilities.encoders.join(', ') || <span className="muted">none</span>}</td>
            <td>
              <CurrentWork node={node} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

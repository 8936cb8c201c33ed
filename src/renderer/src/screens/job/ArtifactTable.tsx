import type { ArtifactSummary } from '../../../../shared/contract.ts';
import { formatBytes } from '../../lib/format-duration.ts';

export function ArtifactTable({ artifacts }: { artifacts: ArtifactSummary[] }) {
  if (artifacts.length === 0) return <p className="muted">No artifacts yet.</p>;
  return (
    <table aria-label="Artifacts" data-testid="artifacts">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Step</th>
          <th scope="col">Type</th>
          <th scope="col">Size</th>
          <th scope="col">SHA-256</th>
        </tr>
      </thead>
      <tbody>
        {artifacts.map((artifact) => (
          <tr key={artifact.id}>
            <td>{artifact.name}</td>
            <td>{artifact.step}</td>
            <td>{artifact.type}</td>
            <td>{formatBytes(artifact.size)}</td>
            <td>
              <code title={artifact.sha256}>{artifact.sha256.slice(0, 12)}…</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

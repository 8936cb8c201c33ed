import type { ArtifactSummary } from '../../../../shared/contract.ts';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { formatBytes } from '../../lib/format-duration.ts';

const COLUMNS: Column<ArtifactSummary>[] = [
  { header: 'Name', cell: (artifact) => artifact.name },
  { header: 'Step', cell: (artifact) => artifact.step },
  { header: 'Type', cell: (artifact) => artifact.type },
  { header: 'Size', cell: (artifact) => formatBytes(artifact.size) },
  {
    header: 'SHA-256',
    cell: (artifact) => <code title={artifact.sha256}>{artifact.sha256.slice(0, 12)}…</code>,
  },
];

export function ArtifactTable({ artifacts }: { artifacts: ArtifactSummary[] }) {
  return (
    <DataTable
      label="Artifacts"
      testId="artifacts"
      columns={COLUMNS}
      rows={artifacts}
      rowKey={(artifact) => artifact.id}
      empty="No artifacts yet."
    />
  );
}

import type { FarmBlock, FarmStatus } from '../../../../shared/contract.ts';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { blockKey, useFarmStore } from '../../stores/farm-store.ts';

function ClearButton({ block }: { block: FarmBlock }) {
  const clear = useFarmStore((state) => state.clearBlock);
  const busy = useFarmStore((state) => Boolean(state.pending[blockKey(block)]));
  return (
    <button type="button" disabled={busy} data-testid="block-clear" onClick={() => void clear(block)}>
      Clear
    </button>
  );
}

const COLUMNS: Column<FarmBlock>[] = [
  { header: 'Worker', rowHeader: true, cell: (block) => block.workerName ?? block.workerId },
  { header: 'Job', cell: (block) => <code>{block.jobId.slice(0, 8)}</code> },
  { header: 'Failed tasks', cell: (block) => block.failures },
  { header: 'Last error', cell: (block) => <small>{block.lastError}</small> },
  { header: 'Clear', hideHeader: true, cell: (block) => <ClearButton block={block} /> },
];

/** Workers that failed too many tasks of a job and get no more of them until cleared. */
export function BlockTable({ status }: { status: FarmStatus }) {
  return (
    <DataTable
      label="Blocked workers"
      testId="farm-blocks"
      columns={COLUMNS}
      rows={status.blocks}
      rowKey={blockKey}
      rowTestId="farm-block"
      empty={`None: no worker failed ${status.blockLimit || 'too many'} tasks of one job.`}
    />
  );
}

/** Every encode running on the farm: which job, on which node, how far, how fast, when it will be done. */
import type { FarmStatus, RunningEncode } from '../../../../shared/contract.ts';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { routeToHash } from '../../lib/routes.ts';

function columnsFor(status: FarmStatus): Column<RunningEncode>[] {
  const nameOf = (id: string) => status.nodes.find((node) => node.id === id)?.name ?? id.slice(0, 8);
  return [
    {
      header: 'Job',
      rowHeader: true,
      cell: (encode) =>
        encode.originNodeId === status.self ? (
          <a href={routeToHash({ screen: 'job', jobId: encode.jobId })}>{encode.jobId.slice(0, 8)}</a>
        ) : (
          <>
            {encode.jobId.slice(0, 8)} <span className="muted">(of {nameOf(encode.originNodeId)})</span>
          </>
        ),
    },
    { header: 'Encoding on', cell: (encode) => nameOf(encode.workerId) },
    {
      header: 'Progress',
      cell: (encode) => (
        <ProgressBar
          fraction={encode.progress}
          label={`Progress of job ${encode.jobId.slice(0, 8)} on ${nameOf(encode.workerId)}`}
          rate={encode.rate}
        />
      ),
    },
  ];
}

export function EncodeTable({ status }: { status: FarmStatus }) {
  return (
    <DataTable
      label="Running encodes"
      testId="farm-encodes"
      columns={columnsFor(status)}
      rows={status.encodes}
      rowKey={(encode) => encode.taskId}
      rowTestId="farm-encode"
      rowData={(encode) => ({ 'job-id': encode.jobId, worker: encode.workerId })}
      empty="Nothing is encoding right now."
    />
  );
}

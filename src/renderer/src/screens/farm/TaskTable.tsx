import type { FarmStatus, FarmTaskView } from '../../../../shared/contract.ts';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { useFarmStore } from '../../stores/farm-store.ts';

/** Requeue (a leased task loses its lease, nothing is counted against anyone) or cancel a task. */
function TaskControls({ task }: { task: FarmTaskView }) {
  const act = useFarmStore((state) => state.taskAction);
  const busy = useFarmStore((state) => Boolean(state.pending[`task:${task.id}`]));
  if (task.status !== 'queued' && task.status !== 'leased') return null;
  return (
    <div className="row">
      {task.status === 'leased' ? (
        <button
          type="button"
          disabled={busy}
          data-testid="task-requeue"
          onClick={() => void act(task.id, 'requeue')}
        >
          Requeue
        </button>
      ) : null}
      <button
        type="button"
        disabled={busy}
        data-testid="task-cancel"
        onClick={() => void act(task.id, 'cancel')}
      >
        Cancel
      </button>
    </div>
  );
}

const COLUMNS: Column<FarmTaskView>[] = [
  {
    header: 'Task',
    rowHeader: true,
    cell: (task) => (
      <>
        <code>{task.id.slice(0, 12)}</code>
        <div className="muted">
          <small>
            job {task.jobId.slice(0, 8)} from {task.originName ?? task.originNodeId}
            {task.segment ? ` · segment ${task.segment.index + 1} of ${task.segment.count}` : ''}
          </small>
        </div>
      </>
    ),
  },
  { header: 'Priority', cell: (task) => task.priority },
  {
    header: 'Status',
    cell: (task) => (
      <>
        <StatusBadge status={task.status} />
        {task.lastError && task.status !== 'leased' ? (
          <div className="muted">
            <small>{task.lastError}</small>
          </div>
        ) : null}
      </>
    ),
  },
  {
    header: 'Worker',
    cell: (task) =>
      task.workerId ? (
        <>
          {task.workerName ?? task.workerId}
          {task.progress !== null ? (
            <ProgressBar fraction={task.progress} label={`Progress of task ${task.id.slice(0, 8)}`} />
          ) : null}
        </>
      ) : (
        <span className="muted">—</span>
      ),
  },
  { header: 'Attempts', cell: (task) => task.attempts },
  { header: 'Controls', hideHeader: true, cell: (task) => <TaskControls task={task} /> },
];

export function TaskTable({ status }: { status: FarmStatus }) {
  return (
    <DataTable
      label="Tasks"
      testId="farm-tasks"
      columns={COLUMNS}
      rows={status.tasks}
      rowKey={(task) => task.id}
      rowTestId="farm-task"
      rowData={(task) => ({ task: task.id, status: task.status })}
      empty={status.coordinator ? 'No tasks: the queue is empty.' : 'No coordinator answers yet.'}
    />
  );
}

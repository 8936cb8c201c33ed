/**
 * The coordinator's durable queue: table `farm_tasks` in the node's SQLite database.
 *
 * Schema (move it into a drizzle migration as is; `CREATE ... IF NOT EXISTS` here only so the store
 * works before that happens):
 *
 *   farm_tasks
 *     id                  TEXT PRIMARY KEY            sha256 task id
 *     origin_node_id      TEXT NOT NULL
 *     origin_url          TEXT NOT NULL
 *     job_id              TEXT NOT NULL
 *     priority            INTEGER NOT NULL            higher first
 *     created_at          INTEGER NOT NULL            ms since epoch; equal priorities run oldest first
 *     plan                TEXT NOT NULL               the RenderPlan, JSON
 *     requirements        TEXT NOT NULL               JSON {"encoders": [...]}
 *     status              TEXT NOT NULL               queued | leased | done | failed
 *     attempts            INTEGER NOT NULL DEFAULT 0
 *     failures_by_worker  TEXT NOT NULL DEFAULT '{}'  JSON {workerId: count}
 *     lease_id, lease_worker_id                TEXT   set exactly when status = 'leased' (CHECK)
 *     lease_granted_at, lease_renewed_at, lease_expires_at  INTEGER
 *     last_error          TEXT
 *     completed_lease_id  TEXT
 *     finished_at         INTEGER
 *     updated_at          INTEGER NOT NULL
 *   index farm_tasks_status (status)
 *
 * Lease renewals are not written (one write per heartbeat per lease would buy nothing): after a reload
 * every lease gets a fresh timeout, and a lease nobody renews then expires as usual.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { TaskStore } from './task-store.ts';
import type { Task, TaskStatus } from './types.ts';

export const FARM_TASKS_DDL = `
CREATE TABLE IF NOT EXISTS farm_tasks (
  id TEXT PRIMARY KEY NOT NULL,
  origin_node_id TEXT NOT NULL,
  origin_url TEXT NOT NULL,
  job_id TEXT NOT NULL,
  priority INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  plan TEXT NOT NULL,
  requirements TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'leased', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  failures_by_worker TEXT NOT NULL DEFAULT '{}',
  lease_id TEXT,
  lease_worker_id TEXT,
  lease_granted_at INTEGER,
  lease_renewed_at INTEGER,
  lease_expires_at INTEGER,
  last_error TEXT,
  completed_lease_id TEXT,
  finished_at INTEGER,
  updated_at INTEGER NOT NULL,
  CHECK ((status = 'leased') = (lease_id IS NOT NULL AND lease_worker_id IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS farm_tasks_status ON farm_tasks (status);
`;

interface TaskRow {
  id: string;
  origin_node_id: string;
  origin_url: string;
  job_id: string;
  priority: number;
  created_at: number;
  plan: string;
  requirements: string;
  status: TaskStatus;
  attempts: number;
  failures_by_worker: string;
  lease_id: string | null;
  lease_worker_id: string | null;
  lease_granted_at: number | null;
  lease_renewed_at: number | null;
  lease_expires_at: number | null;
  last_error: string | null;
  completed_lease_id: string | null;
  finished_at: number | null;
  updated_at: number;
}

const COLUMNS = [
  'id',
  'origin_node_id',
  'origin_url',
  'job_id',
  'priority',
  'created_at',
  'plan',
  'requirements',
  'status',
  'attempts',
  'failures_by_worker',
  'lease_id',
  'lease_worker_id',
  'lease_granted_at',
  'lease_renewed_at',
  'lease_expires_at',
  'last_error',
  'completed_lease_id',
  'finished_at',
  'updated_at',
] as const;

export function createSqliteTaskStore(sqlite: BetterSqlite3.Database): TaskStore {
  sqlite.exec(FARM_TASKS_DDL);
  const upsert = sqlite.prepare(
    `INSERT OR REPLACE INTO farm_tasks (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
  );
  const remove = sqlite.prepare('DELETE FROM farm_tasks WHERE id = ?');
  const selectAll = sqlite.prepare('SELECT * FROM farm_tasks');
  // One transaction per batch: a schedule() granting 50 leases is one commit, all or nothing.
  const writeAll = sqlite.transaction((put: readonly Task[], removed: readonly string[]) => {
    for (const task of put) upsert.run(toRow(task));
    for (const id of removed) remove.run(id);
  });
  return {
    loadAll: () => (selectAll.all() as TaskRow[]).map(fromRow),
    write(changes) {
      const put = changes.put ?? [];
      const removed = changes.remove ?? [];
      if (put.length === 0 && removed.length === 0) return;
      writeAll(put, removed);
    },
  };
}

function toRow(task: Task): TaskRow {
  return {
    id: task.id,
    origin_node_id: task.originNodeId,
    origin_url: task.originUrl,
    job_id: task.jobId,
    priority: task.priority,
    created_at: task.createdAt,
    plan: JSON.stringify(task.plan),
    requirements: JSON.stringify(task.requirements),
    status: task.status,
    attempts: task.attempts,
    failures_by_worker: JSON.stringify(task.failuresByWorker),
    lease_id: task.lease?.id ?? null,
    lease_worker_id: task.lease?.workerId ?? null,
    lease_granted_at: task.lease?.grantedAt ?? null,
    lease_renewed_at: task.lease?.renewedAt ?? null,
    lease_expires_at: task.lease?.expiresAt ?? null,
    last_error: task.lastError ?? null,
    completed_lease_id: task.completedLeaseId ?? null,
    finished_at: task.finishedAt ?? null,
    updated_at: task.updatedAt,
  };
}

function fromRow(row: TaskRow): Task {
  const task: Task = {
    id: row.id,
    originNodeId: row.origin_node_id,
    originUrl: row.origin_url,
    jobId: row.job_id,
    priority: row.priority,
    createdAt: row.created_at,
    plan: JSON.parse(row.plan),
    requirements: JSON.parse(row.requirements),
    status: row.status,
    attempts: row.attempts,
    failuresByWorker: JSON.parse(row.failures_by_worker),
    updatedAt: row.updated_at,
  };
  if (row.lease_id !== null && row.lease_worker_id !== null) {
    task.lease = {
      id: row.lease_id,
      taskId: row.id,
      workerId: row.lease_worker_id,
      grantedAt: row.lease_granted_at ?? row.updated_at,
      renewedAt: row.lease_renewed_at ?? row.updated_at,
      expiresAt: row.lease_expires_at ?? row.updated_at,
    };
  }
  if (row.last_error !== null) task.lastError = row.last_error;
  if (row.completed_lease_id !== null) task.completedLeaseId = row.completed_lease_id;
  if (row.finished_at !== null) task.finishedAt = row.finished_at;
  return task;
}

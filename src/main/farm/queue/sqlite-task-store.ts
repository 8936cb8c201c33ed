/**
 * The coordinator's durable queue: table `farm_tasks` (src/main/db/schema.ts) in the node's database.
 * Lease renewals are not written (one write per heartbeat per lease would buy nothing): after a reload
 * every lease gets a fresh timeout, and a lease nobody renews then expires as usual.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { getTableColumns } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { farmJobFailures, farmTasks } from '../../db/schema.ts';
import type { TaskChanges, TaskStore } from './task-store.ts';
import type { Task } from './types.ts';

type TaskRow = typeof farmTasks.$inferSelect;

/** The table must exist: openDatabase's migrations make it. */
export function createSqliteTaskStore(sqlite: BetterSqlite3.Database): TaskStore {
  const columns = Object.entries(getTableColumns(farmTasks));
  // A prepared statement of its own (not drizzle's builder): schedule() writes on the dispatch path.
  const upsert = sqlite.prepare(
    `INSERT OR REPLACE INTO farm_tasks (${columns.map(([, c]) => c.name).join(', ')}) ` +
      `VALUES (${columns.map(([key]) => `@${key}`).join(', ')})`,
  );
  const remove = sqlite.prepare('DELETE FROM farm_tasks WHERE id = ?');
  const upsertFailure = sqlite.prepare(
    `INSERT OR REPLACE INTO farm_job_failures (origin_node_id, job_id, worker_id, failures, last_error, updated_at)
     VALUES (@originNodeId, @jobId, @workerId, @failures, @lastError, @updatedAt)`,
  );
  const removeFailure = sqlite.prepare(
    'DELETE FROM farm_job_failures WHERE origin_node_id = ? AND job_id = ? AND worker_id = ?',
  );
  // One transaction per batch: a schedule() granting 50 leases is one commit, all or nothing.
  const write = sqlite.transaction((changes: TaskChanges) => {
    for (const task of changes.put ?? []) upsert.run(toRow(task));
    for (const id of changes.remove ?? []) remove.run(id);
    for (const failure of changes.putFailures ?? []) upsertFailure.run(failure);
    for (const key of changes.removeFailures ?? [])
      removeFailure.run(key.originNodeId, key.jobId, key.workerId);
  });
  return {
    loadAll: () => drizzle(sqlite).select().from(farmTasks).all().map(fromRow),
    loadFailures: () => drizzle(sqlite).select().from(farmJobFailures).all(),
    write,
  };
}

function toRow(task: Task): TaskRow {
  return {
    id: task.id,
    originNodeId: task.originNodeId,
    originUrl: task.originUrl,
    jobId: task.jobId,
    priority: task.priority,
    createdAt: task.createdAt,
    plan: JSON.stringify(task.plan),
    requirements: JSON.stringify(task.requirements),
    status: task.status,
    attempts: task.attempts,
    failuresByWorker: JSON.stringify(task.failuresByWorker),
    leaseId: task.lease?.id ?? null,
    leaseWorkerId: task.lease?.workerId ?? null,
    leaseGrantedAt: task.lease?.grantedAt ?? null,
    leaseRenewedAt: task.lease?.renewedAt ?? null,
    leaseExpiresAt: task.lease?.expiresAt ?? null,
    lastError: task.lastError ?? null,
    completedLeaseId: task.completedLeaseId ?? null,
    finishedAt: task.finishedAt ?? null,
    updatedAt: task.updatedAt,
  };
}

function fromRow(row: TaskRow): Task {
  const task: Task = {
    id: row.id,
    originNodeId: row.originNodeId,
    originUrl: row.originUrl,
    jobId: row.jobId,
    priority: row.priority,
    createdAt: row.createdAt,
    plan: JSON.parse(row.plan),
    requirements: JSON.parse(row.requirements),
    status: row.status,
    attempts: row.attempts,
    failuresByWorker: JSON.parse(row.failuresByWorker),
    updatedAt: row.updatedAt,
  };
  if (row.leaseId !== null && row.leaseWorkerId !== null) {
    task.lease = {
      id: row.leaseId,
      taskId: row.id,
      workerId: row.leaseWorkerId,
      grantedAt: row.leaseGrantedAt ?? row.updatedAt,
      renewedAt: row.leaseRenewedAt ?? row.updatedAt,
      expiresAt: row.leaseExpiresAt ?? row.updatedAt,
    };
  }
  if (row.lastError !== null) task.lastError = row.lastError;
  if (row.completedLeaseId !== null) task.completedLeaseId = row.completedLeaseId;
  if (row.finishedAt !== null) task.finishedAt = row.finishedAt;
  return task;
}

/**
 * Who may do what on the farm. Signatures say who is calling (signing.ts); these rules say whether
 * that caller's role allows the call: a node speaks only for itself, only the lease holder reports on
 * a lease, only a task's origin completes it (withdrawals are checked by the queue itself), only the coordinator the node follows hands out work or
 * reports a task lost. Pure decisions: null allows, a string is the reason for a 403.
 */
import type { Lease, Task } from '../queue/index.ts';

export type Verdict = string | null;

export function speaksForItself(caller: string, claimed: string, what: string): Verdict {
  return claimed === caller
    ? null
    : `a node may only ${what} for itself (signed by ${caller}, claims ${claimed})`;
}

/** A task id is its origin's: another node submitting it (with its own address) is refused. */
export function ownTask(caller: string, known: { originNodeId: string } | undefined): Verdict {
  return known && known.originNodeId !== caller ? 'the task is another origin’s' : null;
}

/** An announcement lists the caller's own tasks (as origin) and leases (as worker), nothing else. */
export function mayAnnounce(
  caller: string,
  announcement: {
    nodeId: string;
    tasks?: { originNodeId: string }[];
    leases?: { workerId: string }[];
  },
): Verdict {
  const self = speaksForItself(caller, announcement.nodeId, 'announce');
  if (self) return self;
  if (announcement.tasks?.some((t) => t.originNodeId !== caller))
    return 'an announcement lists another origin’s task';
  if (announcement.leases?.some((l) => l.workerId !== caller))
    return 'an announcement lists another worker’s lease';
  return null;
}

/**
 * The origin completes a lease once the worker's upload checked out; the upload must have come from
 * the worker that holds the lease (a sniffed lease id is not enough to deliver someone else's video).
 */
export function mayComplete(
  caller: string,
  held: { task: Task; lease: Lease } | undefined,
  uploader: string,
): Verdict {
  if (!held) return null; // stale or already completed: the queue answers that itself
  if (held.task.originNodeId !== caller) return 'only the task’s origin completes its lease';
  if (held.lease.workerId !== uploader) return 'the result was not uploaded by the lease holder';
  return null;
}

export function mayFail(caller: string, held: { lease: Lease } | undefined): Verdict {
  if (!held) return null;
  return held.lease.workerId === caller ? null : 'only the lease holder reports its failure';
}

/** Lease offers and "your task failed" come only from the coordinator this node follows now. */
export function fromCoordinator(caller: string, followed: string | null, what: string): Verdict {
  if (followed === null) return `no coordinator is known here yet; ${what} refused`;
  return caller === followed ? null : `only the coordinator of the current term (${followed}) may ${what}`;
}

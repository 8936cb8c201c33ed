/**
 * Where a farm's queue lives in Redis. Everything is under `vfo:<farm id>` (the farm id is derived from
 * the farm key, never the key itself), so several farms can share one Redis without meeting. Tasks go
 * to one BullMQ queue per encoder, so a worker only ever takes work it can encode (capability routing).
 */

export interface FarmKeys {
  /** BullMQ's key prefix for this farm's queues. */
  prefix: string;
  /** The queue of tasks a worker with `encoder` takes. */
  queueOf(encoder: string): string;
  /** A node's presence record (expires unless refreshed). */
  nodeKey(nodeId: string): string;
  /** The ids of nodes that announced themselves (their records may have expired since). */
  nodes: string;
  /** Where origins announce tasks they withdrew (the worker encoding one stops). */
  withdrawals: string;
}

export function farmKeys(farmId: string): FarmKeys {
  const prefix = `vfo:${farmId}`;
  return {
    prefix,
    queueOf: (encoder) => `encode-${encoder}`,
    nodeKey: (nodeId) => `${prefix}:node:${nodeId}`,
    nodes: `${prefix}:nodes`,
    withdrawals: `${prefix}:withdrawals`,
  };
}

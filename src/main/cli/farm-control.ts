import { z } from 'zod';
import type { FarmStatus } from '../../shared/contract.ts';
import { printable } from '../../shared/text.ts';
import type { Peer } from '../farm/net/index.ts';
import { parseCommandArgs } from './args.ts';
import { connect, farmStatusOf, nodeUrl, TLS_CLIENT_OPTIONS } from './farm-client.ts';
import { type CliIo, EXIT, printJson, UsageError } from './io.ts';

export const FARM_USAGE = `usage: vfo farm pause|resume|drain [NODE] --node URL --farm-key-file FILE [--json]
       vfo farm requeue|cancel TASK --node URL --farm-key-file FILE [--json]
       [--tls-pin SHA256 | --tls-ca FILE]   (an https node)
  NODE: a node's id or name as \`vfo status\` lists it (default: the node at --node)
  TASK: a task id, or its first 8 or more digits, as \`vfo status\` lists it`;

const NODE_ACTIONS = new Set(['pause', 'resume', 'drain']);
const TASK_ACTIONS = new Set(['requeue', 'cancel']);

/**
 * `vfo farm`: an operator's controls, each a request signed by this client's own identity for the one
 * node it is meant for (it cannot be replayed to another). A node is paused, resumed or drained by
 * asking that node itself: the node owns its worker (and keeps the mode over a restart), so the
 * decision survives a change of coordinator and works while no coordinator is elected. A task is
 * requeued or cancelled at the coordinator, which owns the queue.
 */
export async function farmCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    node: { type: 'string' },
    'farm-key-file': { type: 'string' },
    ...TLS_CLIENT_OPTIONS,
  });
  const [action, target, ...extra] = positionals;
  if (values.help) {
    io.out(FARM_USAGE);
    return EXIT.ok;
  }
  const isNodeAction = action !== undefined && NODE_ACTIONS.has(action);
  const isTaskAction = action !== undefined && TASK_ACTIONS.has(action);
  if ((!isNodeAction && !isTaskAction) || extra.length > 0) throw new UsageError(FARM_USAGE);
  if (isTaskAction && target === undefined)
    throw new UsageError(`vfo farm ${action} needs a TASK\n${FARM_USAGE}`);
  const { client, node } = await connect(values['farm-key-file'], nodeUrl(values.node), {
    pin: values['tls-pin'],
    ca: values['tls-ca'],
  });
  try {
    if (isTaskAction) {
      const status = await farmStatusOf(client, node);
      if (!status.coordinator) throw new Error('no coordinator is elected yet; try again in a few seconds');
      const taskId = findTask(status, target as string);
      const coordinator = peerOf(status.coordinator);
      const reply = await client.json(
        coordinator,
        'POST',
        `/farm/v1/tasks/${taskId}/${action}`,
        undefined,
        TaskControlReplySchema,
      );
      if (values.json) printJson(io, { task: taskId, result: reply.result });
      else io.out(`${taskId} ${reply.result}`);
      return reply.result === 'unknown' ? EXIT.failure : EXIT.ok;
    }
    const peer = target === undefined ? node : findNode(await farmStatusOf(client, node), target);
    const state = await client.json(
      peer,
      'POST',
      `/farm/v1/worker/${action}`,
      undefined,
      WorkerModeReplySchema,
    );
    if (values.json) printJson(io, { ...state, node: peer.id });
    else io.out(`${peer.id} ${state.paused ? 'paused' : state.draining ? 'draining' : 'running'}`);
    return EXIT.ok;
  } finally {
    client.close();
  }
}

/** The coordinator's answer to a requeue or a cancel: one of the queue's outcomes, nothing else printed. */
const TaskControlReplySchema = z.object({
  result: z.enum(['requeued', 'queued', 'finished', 'unknown', 'withdrawn', 'refused']),
});
const WorkerModeReplySchema = z.object({ paused: z.boolean(), draining: z.boolean() });

/** A node the status names, as a peer to send a signed request to: an http(s) URL, or refused. */
function peerOf(node: { id: string; url: string }): Peer {
  if (!URL.canParse(node.url) || !/^https?:$/.test(new URL(node.url).protocol))
    throw new Error(`the farm's status gives node ${printable(node.id)} no usable URL`);
  return { id: node.id, url: node.url };
}

function findNode(status: FarmStatus, target: string): Peer {
  const matches = status.nodes.filter((n) => n.id === target || n.name === target);
  const [found] = matches;
  if (!found || matches.length > 1) {
    const known = status.nodes.map((n) => `${n.name} (${n.id})`).join(', ');
    throw new UsageError(
      matches.length === 0
        ? `no node "${target}" in the farm; known: ${known}`
        : `"${target}" names several nodes: ${known}`,
    );
  }
  if (found.status === 'incompatible')
    throw new UsageError(`node "${target}" speaks another farm protocol: it cannot be controlled from here`);
  return peerOf(found);
}

/** A full task id is used as it is (the coordinator may know it even if status does not list it). */
function findTask(status: FarmStatus, target: string): string {
  if (/^[0-9a-f]{64}$/.test(target)) return target;
  if (!/^[0-9a-f]{8,63}$/.test(target))
    throw new UsageError(`"${target}" is not a task id: give its hex digits (at least the first 8)`);
  const matches = (status.tasks ?? []).filter((t) => t.id.startsWith(target));
  if (matches.length === 1) return (matches[0] as { id: string }).id;
  throw new UsageError(
    matches.length === 0
      ? `no task starting with ${target} in the coordinator's queue (see \`vfo status\`)`
      : `${target} starts several tasks: give more digits`,
  );
}

import type { Peer } from '../farm/net/index.ts';
import { parseCommandArgs } from './args.ts';
import { connect, nodeUrl } from './farm-client.ts';
import { type CliIo, EXIT, printJson, UsageError } from './io.ts';

export const FARM_USAGE = `usage: vfo farm pause|resume|drain [NODE] --node URL --farm-key-file FILE [--json]
  NODE: a node's id or name as \`vfo status\` lists it (default: the node at --node)`;

const ACTIONS = new Set(['pause', 'resume', 'drain']);

/**
 * `vfo farm pause|resume|drain`: an operator's control of any node. The request is signed by this
 * client's own identity for the one node it is meant for, so it cannot be replayed to another.
 */
export async function farmCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    node: { type: 'string' },
    'farm-key-file': { type: 'string' },
  });
  const [action, target, ...extra] = positionals;
  if (values.help) {
    io.out(FARM_USAGE);
    return EXIT.ok;
  }
  if (!action || !ACTIONS.has(action) || extra.length > 0) throw new UsageError(FARM_USAGE);
  const { client, node } = await connect(values['farm-key-file'], nodeUrl(values.node));
  try {
    const peer = target === undefined ? node : await findNode(client, node, target);
    const state = (await client.json(peer, 'POST', `/farm/v1/worker/${action}`)) as {
      paused: boolean;
      draining: boolean;
    };
    if (values.json) printJson(io, { node: peer.id, ...state });
    else io.out(`${peer.id} ${state.paused ? 'paused' : state.draining ? 'draining' : 'running'}`);
    return EXIT.ok;
  } finally {
    client.close();
  }
}

async function findNode(client: Awaited<ReturnType<typeof connect>>['client'], via: Peer, target: string) {
  const status = (await client.json(via, 'GET', '/api/v1/status')) as {
    nodes: { id: string; name: string; url: string }[];
  };
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
  return { id: found.id, url: found.url };
}

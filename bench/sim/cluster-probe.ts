/**
 * A process that is one farm member and nothing else: discovery + liveness + election, with the probe's
 * plain HTTP transport on 127.0.0.1. Prints one JSON line per event on stdout, for multi-process tests
 * and `bench/election.ts`.
 *
 *   node bench/sim/cluster-probe.ts --id ID --name NAME --farm FARM_ID
 *        [--role auto|worker] [--interface 127.0.0.1 --bind 0.0.0.0]
 */
import { parseArgs } from 'node:util';
import type { ClusterEvent, ClusterMember } from '../../src/main/farm/cluster/cluster-member.ts';
import { startClusterMember } from '../../src/main/farm/cluster/cluster-member.ts';
import { httpAnnounce, httpHello, startProbeServer } from './probe-http.ts';

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ at: Date.now(), ...line })}\n`);
}

function describe(event: ClusterEvent): Record<string, unknown> {
  if (event.type === 'peer-discovered') return { event: event.type, id: event.peer.id, url: event.peer.url };
  if (event.type === 'peer-ignored') return { event: event.type, ...event.service };
  const { type, ...fields } = event;
  return { event: type, ...fields };
}

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    name: { type: 'string' },
    farm: { type: 'string' },
    role: { type: 'string', default: 'auto' },
    interface: { type: 'string' },
    bind: { type: 'string' },
  },
});
if (!values.id || !values.name || !values.farm || (values.role !== 'auto' && values.role !== 'worker')) {
  process.stderr.write('usage: cluster-probe --id ID --name NAME --farm FARM_ID [--role auto|worker]\n');
  process.exit(2);
}

let member: ClusterMember | null = null;
const server = await startProbeServer({
  hello: () => (member as ClusterMember).helloInfo(),
  claim: (claim) => (member as ClusterMember).receiveClaim(claim),
});
const url = `http://127.0.0.1:${server.port}`;
member = startClusterMember({
  id: values.id,
  name: values.name,
  farm: values.farm,
  role: values.role,
  port: server.port,
  url,
  encoders: ['libx264'],
  cores: 1,
  freeSlots: () => 1,
  interface: values.interface,
  bind: values.bind,
  hello: httpHello,
  announce: httpAnnounce,
  onEvent: (event) => print(describe(event)),
});
print({ event: 'ready', id: values.id, url, pid: process.pid });

let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await member?.stop();
  await server.close();
  print({ event: 'stopped', id: values.id });
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
// The parent closing our stdin means it is gone: do not outlive it as an orphan on the LAN.
process.stdin.on('end', () => void shutdown());
process.stdin.resume();

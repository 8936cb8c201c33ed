/**
 * node bench/election.ts [--rounds N] — coordinator failover on loopback. Each round starts 3
 * cluster-probe processes (discovery + hello liveness + election, as in docs/FARM.md), waits until they
 * agree on a coordinator, kills it with SIGKILL and measures, from the kill, the time until a survivor
 * claims and until every survivor follows it. Target (FARM.md): a new coordinator within 5 s.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { ProbeProcess } from './sim/probe-process.ts';
import { spawnProbe, waitForCoordinator } from './sim/probe-process.ts';

const TARGET_MS = 5000;
const STEP_TIMEOUT_MS = 15_000;

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Math.min(Math.max(Number.parseInt(values.rounds, 10) || 1, 1), 20);

function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer in ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function round(index: number): Promise<{ claimMs: number; agreedMs: number }> {
  const tag = randomBytes(3).toString('hex');
  const farm = randomBytes(8).toString('hex');
  const probes: ProbeProcess[] = ['a', 'b', 'c'].map((letter) =>
    spawnProbe({ id: `${letter}-${tag}`, name: `bench-${letter}-${tag}`, farm }),
  );
  try {
    await bounded(Promise.all(probes.map((p) => p.ready)), 'probes starting');
    const first = await waitForCoordinator(probes, () => true, STEP_TIMEOUT_MS);
    if (!first) throw new Error('the probes never agreed on a coordinator');
    // Kill at a different point of the 1 s hello cycle each round.
    await new Promise((resolve) => setTimeout(resolve, 500 + index * 330));
    const dead = probes.find((p) => p.id === first.id) as ProbeProcess;
    const survivors = probes.filter((p) => p !== dead);
    dead.kill('SIGKILL');
    const killedAt = Date.now();
    const claimed = Promise.any(
      survivors.map((p) =>
        p.waitFor((l) => l.event === 'became-coordinator' && l.at >= killedAt, STEP_TIMEOUT_MS),
      ),
    );
    const next = await waitForCoordinator(survivors, (leader) => leader.id !== dead.id, STEP_TIMEOUT_MS);
    const agreedMs = Date.now() - killedAt;
    if (!next) throw new Error('no new coordinator after the kill');
    const claimMs = (await bounded(claimed, 'claim line')).at - killedAt;
    return { claimMs, agreedMs };
  } finally {
    await Promise.all(probes.map((p) => p.stop()));
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const results: Array<{ claimMs: number; agreedMs: number }> = [];
process.stdout.write(
  `election failover: 3 probes on loopback, kill -9 of the coordinator, ${rounds} round(s)\n`,
);
for (let i = 0; i < rounds; i++) {
  const result = await round(i);
  results.push(result);
  process.stdout.write(
    `round ${i + 1}: new coordinator claimed ${seconds(result.claimMs)} s after the kill, ` +
      `all survivors following at ${seconds(result.agreedMs)} s\n`,
  );
}
const worst = Math.max(...results.map((r) => r.agreedMs));
process.stdout.write(
  `worst time to a new coordinator: ${seconds(worst)} s (target <= ${seconds(TARGET_MS)} s) ${worst <= TARGET_MS ? 'OK' : 'MISSED'}\n`,
);

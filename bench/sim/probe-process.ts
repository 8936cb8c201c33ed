/**
 * Starts cluster-probe processes and reads their JSON event lines: the shared harness of the
 * multi-process test and `bench/election.ts`. Every wait is bounded and every process can be stopped.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type HelloInfo, parseHelloInfo } from '../../src/main/farm/cluster/hello-schema.ts';

const PROBE_ENTRY = new URL('./cluster-probe.ts', import.meta.url).pathname;
const STOP_GRACE_MS = 3000;

export interface ProbeLine {
  at: number;
  event: string;
  [field: string]: unknown;
}

export interface ProbeSpec {
  id: string;
  name: string;
  farm: string;
  role?: 'auto' | 'worker';
}

export interface ProbeProcess {
  readonly id: string;
  readonly lines: ProbeLine[];
  /** Resolves with the probe's own URL once it serves hellos. */
  readonly ready: Promise<string>;
  waitFor(match: (line: ProbeLine) => boolean, timeoutMs: number): Promise<ProbeLine>;
  /** The probe's own hello answer: its role, term and coordinator as it sees them. */
  hello(timeoutMs?: number): Promise<HelloInfo>;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not exited within a grace period. */
  stop(): Promise<void>;
  readonly exited: Promise<void>;
  stderr(): string;
}

export function spawnProbe(spec: ProbeSpec): ProbeProcess {
  const args = [PROBE_ENTRY, '--id', spec.id, '--name', spec.name, '--farm', spec.farm];
  args.push('--role', spec.role ?? 'auto', '--interface', '127.0.0.1', '--bind', '0.0.0.0');
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: ProbeLine[] = [];
  const listeners = new Set<(line: ProbeLine) => void>();
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: ProbeLine;
    try {
      line = JSON.parse(text) as ProbeLine;
    } catch {
      return;
    }
    lines.push(line);
    for (const listener of listeners) listener(line);
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const waitFor = (match: (line: ProbeLine) => boolean, timeoutMs: number): Promise<ProbeLine> =>
    new Promise((resolve, reject) => {
      const found = lines.find(match);
      if (found) return resolve(found);
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(
          new Error(`probe ${spec.id}: no matching line in ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`),
        );
      }, timeoutMs);
      const listener = (line: ProbeLine): void => {
        if (!match(line)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(line);
      };
      listeners.add(listener);
    });

  const ready = waitFor((line) => line.event === 'ready', 10_000).then((line) => String(line.url));
  // Nobody may be awaiting `ready` when a probe dies early; the rejection is reported where it is awaited.
  ready.catch(() => {});

  return {
    id: spec.id,
    lines,
    ready,
    waitFor,
    async hello(timeoutMs = 1000) {
      const response = await fetch(`${await ready}/hello`, { signal: AbortSignal.timeout(timeoutMs) });
      return parseHelloInfo(await response.json());
    },
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
    exited,
    stderr: () => stderr,
  };
}

/** The coordinator all the given probes agree on (exactly one of them claims it), else null. */
export async function agreedCoordinator(probes: ProbeProcess[]): Promise<HelloInfo | null> {
  const hellos = await Promise.all(probes.map((p) => p.hello().catch(() => null)));
  if (hellos.some((h) => h === null)) return null;
  const answers = hellos as HelloInfo[];
  const leaders = answers.filter((h) => h.role === 'coordinator');
  if (leaders.length !== 1) return null;
  const leader = leaders[0] as HelloInfo;
  return answers.every((h) => h.coordinatorId === leader.id && h.term === leader.term) ? leader : null;
}

/** Polls `agreedCoordinator` every 50 ms until `accept` holds or the time is up. */
export async function waitForCoordinator(
  probes: ProbeProcess[],
  accept: (leader: HelloInfo) => boolean,
  timeoutMs: number,
): Promise<HelloInfo | null> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const leader = await agreedCoordinator(probes);
    if (leader && accept(leader)) return leader;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

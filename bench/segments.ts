/**
 * npm run bench:segments — one run, measured back to back on this machine:
 *   wall time of the encode step of a ~60 s video on a farm of 2 workers (split in two segments,
 *   joined at the origin) ÷ the same video on a farm of 1 worker (encoded whole); every encoder is
 *   limited to one thread (`vfo node --threads 1`), so each worker is one core. Target ≤ 0.58.
 *   Each farm encodes the video twice (a new title each round, so nothing is reused); the best
 *   round of each is compared.
 * Real `vfo node` processes on loopback: the time includes submitting, leasing, fetching assets,
 * uploading, checking every segment and the join — everything a user waits for.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  createFarmClient,
  ephemeralIdentity,
  FarmTrust,
  farmKeyFromText,
  generateFarmKey,
} from '../src/main/farm/net/index.ts';

const repo = resolve(import.meta.dirname, '..');
const PRESET = 'landscape-1080p-x264';
const TARGET = 0.58;

const SENTENCES = [
  'The studio sends one long video to every Mac at once.',
  'Each worker encodes the scenes it was given and nothing else.',
  'Cuts fall between scenes, where no picture depends on another.',
];

/** Eight scenes of two sentences: about a minute of the offline voice. Each round has its own title. */
function script(round: number): string {
  const scenes = Array.from(
    { length: 8 },
    (_, i) => `# Scene ${i + 1}\n\n${SENTENCES[i % 3]} ${SENTENCES[(i + 1) % 3]}\n`,
  );
  return `---\ntitle: Segments benchmark, round ${round}\n---\n\n${scenes.join('\n')}`;
}

/** Rounds per farm: the best of them is compared (a slow round on this shared machine is noise, not the farm). */
const ROUNDS = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node {
  child: ChildProcess;
  url: string;
  id: string;
  dataDir: string;
}

const keyText = generateFarmKey();
const farmKey = farmKeyFromText(keyText);
const client = createFarmClient({
  identity: ephemeralIdentity(farmKey),
  trust: new FarmTrust(farmKey),
  timeoutMs: 10_000,
});

async function startNode(root: string, name: string, keyPath: string): Promise<Node> {
  const dataDir = join(root, name);
  const args = [
    ...[join(repo, 'bin', 'vfo.js'), 'node', '--data', dataDir, '--name', name],
    ...['--farm-key-file', keyPath, '--interface', '127.0.0.1', '--video-preset', PRESET],
    ...['--threads', '1', '--max-concurrency', '1', '--min-segment-seconds', '20'],
  ];
  // VFO_BENCH_LOGS=DIR keeps each node's log there, to see where the time goes.
  const logDir = process.env.VFO_BENCH_LOGS;
  const log = logDir ? openSync(join(logDir, `${name}.log`), 'w') : 'ignore';
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', log],
    detached: true,
    env: { ...process.env, VFO_LOG_LEVEL: 'info' },
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  for (let waited = 0; waited < 60_000; waited += 100) {
    const line = out.split('\n').find((l) => l.includes('"listening"'));
    if (line) {
      const { url, id } = JSON.parse(line) as { url: string; id: string };
      return { child, url, id, dataDir };
    }
    if (child.exitCode !== null) throw new Error(`node ${name} exited early`);
    await sleep(100);
  }
  throw new Error(`node ${name} did not start`);
}

function stopNode(node: Node): void {
  try {
    process.kill(-(node.child.pid as number), 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Until every node sees `count` nodes online and they agree on a coordinator that says it is one. */
async function farmFormed(nodes: Node[]): Promise<void> {
  type Status = {
    self: string;
    coordinator: { id: string } | null;
    nodes: { id: string; role: string; status: string }[];
  };
  for (let waited = 0; waited < 60_000; waited += 250) {
    const all = await Promise.all(nodes.map((n) => client.json<Status>(n, 'GET', '/api/v1/status')));
    const id = all[0]?.coordinator?.id;
    const claimed = all.some(
      (s) => s.self === id && s.nodes.find((n) => n.id === id)?.role === 'coordinator',
    );
    const agreed = all.every((s) => s.coordinator?.id === id);
    const online = all.every((s) => s.nodes.filter((n) => n.status === 'online').length === nodes.length);
    if (id && claimed && agreed && online) {
      // One more hello round, so the origin knows every peer's free slots.
      await sleep(1500);
      return;
    }
    await sleep(250);
  }
  throw new Error('the farm did not form');
}

/** Submits the script to `origin`, waits for the job, returns the encode step's wall time and segments. */
async function encodeOnFarm(
  origin: Node,
  text: string,
): Promise<{ ms: number; segments: number; videoS: number }> {
  const { jobId } = await client.json<{ jobId: string }>(origin, 'POST', '/farm/v1/jobs', {
    name: 'bench.md',
    text,
  });
  for (let waited = 0; waited < 900_000; waited += 500) {
    const job = await client.json<{ status: string; error: string | null }>(
      origin,
      'GET',
      `/farm/v1/jobs/${jobId}`,
    );
    if (job.status === 'done') break;
    if (job.status === 'failed' || job.status === 'cancelled')
      throw new Error(`job ${job.status}: ${job.error}`);
    await sleep(500);
  }
  const db = new Database(join(origin.dataDir, 'vfo.db'), { readonly: true });
  try {
    const step = db
      .prepare(
        "SELECT started_at AS s, completed_at AS c, output_refs AS o FROM job_steps WHERE job_id = ? AND step_key = 'video'",
      )
      .get(jobId) as { s: string; c: string; o: string };
    const video = db
      .prepare("SELECT metadata FROM artifacts WHERE job_id = ? AND type = 'video'")
      .get(jobId) as { metadata: string };
    const { segments } = JSON.parse(video.metadata) as { segments: number };
    const videoMs = (JSON.parse(step.o) as { data: { durationMs: number } }).data.durationMs;
    return { ms: Date.parse(step.c) - Date.parse(step.s), segments, videoS: videoMs / 1000 };
  } finally {
    db.close();
  }
}

const root = await mkdtemp(join(tmpdir(), 'vfo-bench-segments-'));
const nodes: Node[] = [];
try {
  const keyPath = join(root, 'farm.key');
  await writeFile(keyPath, `${keyText}\n`, { mode: 0o600 });
  const rounds = async (origin: Node) => {
    const runs = [];
    for (let round = 1; round <= ROUNDS; round++) runs.push(await encodeOnFarm(origin, script(round)));
    return runs;
  };

  const solo = await startNode(root, 'solo', keyPath);
  nodes.push(solo);
  await farmFormed([solo]);
  const ones = await rounds(solo);
  stopNode(solo);
  await sleep(1000);

  const origin = await startNode(root, 'origin', keyPath);
  const peer = await startNode(root, 'peer', keyPath);
  nodes.push(origin, peer);
  await farmFormed([origin, peer]);
  const twos = await rounds(origin);

  const best = <T extends { ms: number }>(runs: T[]) => runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const one = best(ones);
  const two = best(twos);
  if (ones.some((r) => r.segments !== 1) || twos.some((r) => r.segments !== 2)) {
    throw new Error('expected whole encodes on 1 worker and 2 segments on 2 workers');
  }
  const ratio = two.ms / one.ms;
  const s = (ms: number) => (ms / 1000).toFixed(2);
  process.stdout.write(
    [
      `video: ${one.videoS.toFixed(1)} s, preset ${PRESET}, one encoder thread per worker`,
      `1 worker  (whole):           ${ones.map((r) => `${s(r.ms)} s`).join(', ')} → best ${s(one.ms)} s`,
      `2 workers (2 segments+join): ${twos.map((r) => `${s(r.ms)} s`).join(', ')} → best ${s(two.ms)} s`,
      `2 workers / 1 worker = ${ratio.toFixed(3)}  (target <= ${TARGET}) ${ratio <= TARGET ? 'OK' : 'MISSED'}`,
      '',
    ].join('\n'),
  );
} finally {
  for (const node of nodes) stopNode(node);
  client.close();
  await rm(root, { recursive: true, force: true });
}

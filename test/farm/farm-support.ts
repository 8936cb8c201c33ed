/**
 * Real `vfo node` processes on loopback for the farm acceptance tests: start, watch (stdout's
 * "listening" line, stderr's log), signal and always kill them; signed calls to their HTTP API; facts
 * read from their data folders. Everything here waits with a deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import {
  createFarmClient,
  ephemeralIdentity,
  type FarmClient,
  FarmTrust,
  farmKeyFromText,
  generateFarmKey,
  type NodeIdentity,
} from '../../src/main/farm/net/index.ts';
import type { FarmStatus } from '../../src/shared/contract.ts';
import { probeMedia } from '../support/media.ts';
import { cleanEnv, REPO, VFO } from '../support/vfo.ts';

export const PRESET = 'preview-360p';

export interface FarmKeyFile {
  path: string;
  text: string;
  /** The test's own identity, admitted with the farm key (like `vfo submit`'s). */
  identity: NodeIdentity;
  client: FarmClient;
}

/** A fresh farm key in a 0600 file, and a signed client with an identity of its own admitted by it. */
export async function makeFarmKey(dir: string): Promise<FarmKeyFile> {
  const text = generateFarmKey();
  const path = join(dir, 'farm.key');
  await writeFile(path, `${text}\n`, { mode: 0o600 });
  const key = farmKeyFromText(text);
  const identity = ephemeralIdentity(key);
  const client = createFarmClient({ identity, trust: new FarmTrust(key), timeoutMs: 10_000 });
  return { path, text, identity, client };
}

/** Where a node is and who it is: what a signed request is addressed to. */
export const peerOf = (node: { url: string; id: string }) => ({ url: node.url, id: node.id });

export interface NodeProcess {
  id: string;
  name: string;
  url: string;
  dataDir: string;
  pid: number;
  child: ChildProcess;
  /** Everything the node wrote to stderr so far (its log, at level info). */
  log(): string;
  stdout(): string;
  exited(): boolean;
  /** Signals the node process only (kill -9, kill -STOP, kill -CONT); never its children. */
  signal(signal: NodeJS.Signals): void;
  /** SIGCONT then SIGKILL to the node and every process of its group; waits for its exit. */
  destroy(): Promise<void>;
}

export interface StartNodeOptions {
  root: string;
  name: string;
  key: FarmKeyFile;
  role?: 'auto' | 'worker';
  /** --max-concurrency (default 1); null: not given, the node's render.localParts setting decides. */
  maxConcurrency?: number | null;
  /** Reuse a data folder (a restart); default `<root>/<name>`. */
  dataDir?: string;
  /** More `vfo node` flags (e.g. --min-segment-seconds). */
  extraArgs?: string[];
  /** More environment (e.g. VFO_RENDERER_DIR). */
  env?: NodeJS.ProcessEnv;
}

const started: NodeProcess[] = [];

/** Starts `vfo node` and resolves once it printed its "listening" line. */
export async function startNode(options: StartNodeOptions): Promise<NodeProcess> {
  const dataDir = options.dataDir ?? join(options.root, options.name);
  await mkdir(dataDir, { recursive: true });
  const args = [
    VFO,
    'node',
    ...['--data', dataDir],
    ...['--name', options.name],
    ...['--farm-key-file', options.key.path],
    ...['--interface', '127.0.0.1'],
    ...['--video-preset', PRESET],
    ...['--role', options.role ?? 'auto'],
    ...(options.maxConcurrency === null ? [] : ['--max-concurrency', String(options.maxConcurrency ?? 1)]),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: cleanEnv({ VFO_LOG_LEVEL: 'info', ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so cleanup also reaches its encoder and ffmpeg.
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const pid = child.pid as number;
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const node: NodeProcess = {
    id: '',
    name: options.name,
    url: '',
    dataDir,
    pid,
    child,
    log: () => err,
    stdout: () => out,
    exited: () => exited,
    signal: (signal) => {
      if (!exited) process.kill(pid, signal);
    },
    async destroy() {
      // Even after the node died, its group may hold an encoder that outlived it.
      for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
        try {
          process.kill(-pid, signal);
        } catch {
          // the group is already gone
        }
      }
      if (!exited) await Promise.race([exit, sleep(5000)]);
    },
  };
  started.push(node);
  const listening = await until(
    () => {
      if (exited) throw new Error(`node ${options.name} exited early:\n${err}`);
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      return line ? (JSON.parse(line) as { id: string; url: string; name: string }) : undefined;
    },
    45_000,
    `node ${options.name} to listen`,
  );
  node.id = listening.id;
  node.url = listening.url;
  expect(listening.name).toBe(options.name);
  expect(new URL(listening.url).hostname).toBe('127.0.0.1');
  return node;
}

/** One node per name, all with the same options, started together. */
export function startNodes(
  root: string,
  key: FarmKeyFile,
  names: string[],
  options: Omit<StartNodeOptions, 'root' | 'name' | 'key'> = {},
): Promise<NodeProcess[]> {
  return Promise.all(names.map((name) => startNode({ ...options, root, name, key })));
}

/** afterAll of a farm test: every node killed, the key's client closed, the temp folder removed. */
export async function stopFarm(
  dir: { remove(): Promise<void> } | undefined,
  key: FarmKeyFile | undefined,
): Promise<void> {
  await destroyAllNodes();
  key?.client.close();
  await dir?.remove();
}

/**
 * Kills every node this file started (and their encoders); for afterAll. With VFO_FARM_TEST_LOGS=DIR
 * their logs are kept there (to look at a failure).
 */
export async function destroyAllNodes(): Promise<void> {
  const nodes = started.splice(0);
  await Promise.all(nodes.map((n) => n.destroy()));
  const keep = process.env.VFO_FARM_TEST_LOGS;
  if (keep) {
    await mkdir(keep, { recursive: true });
    for (const n of nodes) await writeFile(join(keep, `${n.name}-${n.id}.log`), n.log());
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a value (not undefined/false) or the deadline passes. */
export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
      // An early exit of a node is final: do not wait out the deadline.
      if (error instanceof Error && /exited early/.test(error.message)) throw error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (${lastError})` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}

export type { FarmStatus };

export function statusOf(key: FarmKeyFile, node: NodeProcess): Promise<FarmStatus> {
  return key.client.json<FarmStatus>(peerOf(node), 'GET', '/api/v1/status');
}

export interface JobView {
  id: string;
  status: string;
  output: string | null;
  error: string | null;
  artifacts: { step: string; type: string; sha256: string; path: string }[];
}

export function jobOf(key: FarmKeyFile, node: NodeProcess, jobId: string): Promise<JobView> {
  return key.client.json<JobView>(peerOf(node), 'GET', `/farm/v1/jobs/${jobId}`);
}

/** Sends a script to a node, as `vfo submit` does; returns the job id. */
export async function submitScript(key: FarmKeyFile, node: NodeProcess, name: string, text: string) {
  const reply = await key.client.json<{ jobId: string }>(peerOf(node), 'POST', '/farm/v1/jobs', {
    name,
    text,
  });
  return reply.jobId;
}

/** Waits until every job is finished (done, failed or cancelled) at its origin. */
export async function waitForJobs(
  key: FarmKeyFile,
  origin: NodeProcess,
  jobIds: string[],
  timeoutMs: number,
): Promise<JobView[]> {
  return until(
    async () => {
      const views = await Promise.all(jobIds.map((id) => jobOf(key, origin, id)));
      return views.every((v) => ['done', 'failed', 'cancelled'].includes(v.status)) ? views : undefined;
    },
    timeoutMs,
    `jobs ${jobIds.join(', ')} to finish at ${origin.name}`,
    500,
  );
}

/**
 * A script of `sentences` sentences over three scenes (espeak-ng speaks ~2.5-3 s each), unique by
 * `tag` so every job has its own task.
 */
export function longScript(tag: string, sentences: number): string {
  const words = [
    'The render farm keeps every Mac of the studio busy with narrated videos.',
    'A coordinator hands each encode to the least loaded worker on the network.',
    'Workers fetch the pictures and the narration from the node that owns the job.',
    'Every file is checked against its checksum before the encoder may use it.',
    'Heartbeats tell the coordinator which leases are still being worked on.',
    'A lease that nobody renews goes back to the queue after five seconds.',
    'Only the current lease may deliver the finished video to its origin.',
    'A late result from a stale lease is refused and thrown away.',
  ];
  const body = Array.from({ length: sentences }, (_, i) => words[i % words.length] as string);
  const third = Math.ceil(body.length / 3);
  const scenes = [body.slice(0, third), body.slice(third, 2 * third), body.slice(2 * third)];
  return [
    '---',
    `title: Farm test ${tag}`,
    '---',
    '',
    ...scenes.flatMap((s, i) => [`# Scene ${i + 1}`, '', s.join(' '), '']),
    `This video is number ${tag}.`,
    '',
  ].join('\n');
}

/** A finished video as the preset asks: 640x360, H.264 + AAC, audio and video within 0.1 s. */
export async function expectPreviewVideo(path: string): Promise<number> {
  const facts = await probeMedia(path);
  expect({ width: facts.width, height: facts.height }).toEqual({ width: 640, height: 360 });
  expect(facts.videoCodec).toBe('h264');
  expect(facts.audioCodec).toBe('aac');
  expect(Math.abs(facts.videoSeconds - facts.audioSeconds)).toBeLessThanOrEqual(0.1);
  expect(facts.videoSeconds).toBeGreaterThan(3);
  return facts.videoSeconds;
}

/** Read-only look at a node's database (WAL: the node keeps writing meanwhile). */
export function readDb<T>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dataDir, 'vfo.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export interface OriginTaskRow {
  task_id: string;
  job_id: string;
  result_path: string | null;
  result_sha256: string | null;
}

/**
 * At the origin: the job has exactly one video artifact, exactly one farm task whose accepted result is
 * that video, and the origin logged exactly one "result accepted" for it. Returns the task id.
 */
export function expectOneVideoAtOrigin(origin: NodeProcess, job: JobView): string {
  const videos = readDb<{ n: number }>(
    origin.dataDir,
    "SELECT count(*) AS n FROM artifacts WHERE job_id = ? AND type = 'video'",
    job.id,
  );
  expect(videos[0]?.n, `video artifacts of job ${job.id}`).toBe(1);
  const [video] = readDb<{ sha256: string }>(
    origin.dataDir,
    "SELECT sha256 FROM artifacts WHERE job_id = ? AND type = 'video'",
    job.id,
  );
  const tasks = readDb<OriginTaskRow>(
    origin.dataDir,
    'SELECT task_id, job_id, result_path, result_sha256 FROM farm_origin_tasks WHERE job_id = ?',
    job.id,
  );
  expect(tasks, `farm tasks of job ${job.id}`).toHaveLength(1);
  const task = tasks[0] as OriginTaskRow;
  expect(task.result_path).not.toBeNull();
  expect(task.result_sha256).toBe(video?.sha256);
  expect(logEvents(origin, 'result accepted').filter((e) => e.task === task.task_id)).toHaveLength(1);
  return task.task_id;
}

/** The structured fields of every log line of `node` whose message is exactly `message`. */
export function logEvents(node: NodeProcess, message: string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const line of node.log().split('\n')) {
    const match = /^\S+ [A-Z]+ \[[A-Za-z]+\] (.+?)(?: (\{.*\}))?$/.exec(line);
    if (!match || match[1] !== message) continue;
    events.push(match[2] ? (JSON.parse(match[2]) as Record<string, unknown>) : {});
  }
  return events;
}

/**
 * Which node produced the accepted result of `taskId`: the origin logs the lease it accepted, and the
 * coordinator that granted that lease logged to whom it offered it ("lease offered", logged before the
 * offer is sent: a coordinator killed before the worker's answer came back still logged it).
 */
export function deliveredBy(nodes: NodeProcess[], origin: NodeProcess, taskId: string): NodeProcess {
  const accepted = logEvents(origin, 'result accepted').filter((e) => e.task === taskId);
  expect(accepted, `accepted results of task ${taskId}`).toHaveLength(1);
  const lease = accepted[0]?.lease;
  const grants = nodes
    .flatMap((n) => logEvents(n, 'lease offered'))
    .filter((e) => e.task === taskId && e.lease === lease);
  expect(grants, `grants of lease ${lease}`).toHaveLength(1);
  const worker = nodes.find((n) => n.id === grants[0]?.worker);
  expect(worker, `worker of lease ${lease}`).toBeDefined();
  return worker as NodeProcess;
}

/** Live ffmpeg processes encoding for this node (their command line names its work folder). */
export function ffmpegOf(node: NodeProcess): number[] {
  const work = join(node.dataDir, 'farm', 'work');
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('ffmpeg') && argv.some((a) => a.includes(work))) found.push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

export interface UiCall {
  /** One call of the app's contract over the node's HTTP API, as the Farm view makes it. */
  call<T = unknown>(
    method: string,
    args: unknown,
  ): Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>;
  /** A GET of the UI's API (a job's video, its thumbnail), as the page's player makes it. */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
}

/** Logs in to a node's UI with the farm key (as the browser does) and returns a caller of its contract. */
export async function uiSession(key: FarmKeyFile, node: NodeProcess): Promise<UiCall> {
  const challenge = (await (
    await fetch(`${node.url}/api/v1/session/challenge`, { headers: { 'x-vfo-ui': '1' } })
  ).json()) as { nonce: string };
  const proof = createHmac('sha256', key.text).update(`vfo-ui-session:${challenge.nonce}`).digest('hex');
  const login = await fetch(`${node.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-vfo-ui': '1' },
    body: JSON.stringify({ nonce: challenge.nonce, proof }),
  });
  expect(login.status).toBe(204);
  const cookie = String(login.headers.get('set-cookie')).split(';')[0] as string;
  return {
    async call(method, args) {
      const response = await fetch(`${node.url}/api/v1/call/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-vfo-ui': '1', cookie },
        body: JSON.stringify(args),
      });
      return (await response.json()) as never;
    },
    get: (path, headers = {}) =>
      fetch(`${node.url}${path}`, { headers: { ...headers, 'x-vfo-ui': '1', cookie } }),
  };
}

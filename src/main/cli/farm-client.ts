import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import {
  type FarmStatus,
  FarmStatusSchema,
  JOB_ID_PATTERN,
  JobStatusSchema,
  QUEUE_VIEW_LIMITS,
  TASK_ID_PATTERN,
} from '../../shared/contract.ts';
import { describeRate } from '../../shared/progress-rate.ts';
import { printable } from '../../shared/text.ts';
import {
  createFarmClient,
  ephemeralIdentity,
  type FarmClient,
  FarmHttpError,
  FarmTrust,
  type Peer,
  parseFingerprint,
  readFarmKey,
  TlsTrust,
} from '../farm/net/index.ts';
import { diagnosticsText } from '../intake/prepare-script.ts';
import { formatSize } from '../util/disk-room.ts';
import { parseCommandArgs, priorityArg } from './args.ts';
import { parseDuration } from './duration.ts';
import { type CliIo, EXIT, printJson, UsageError } from './io.ts';
import { prepareSubmissions, sendWantedMedia } from './submit-media.ts';

export const SUBMIT_USAGE =
  'usage: vfo submit <scripts...> --node URL --farm-key-file FILE [--priority N] [--wait] [--wait-timeout 6h] [--json]\n' +
  '                  [--tls-pin SHA256 | --tls-ca FILE]   (an https node)\n' +
  '  --priority N: higher runs first on the farm (-1000..1000, default 0; negative: --priority=-5)';
export const STATUS_USAGE =
  'usage: vfo status --node URL --farm-key-file FILE [--json] [--tls-pin SHA256 | --tls-ca FILE]';

/** How a client trusts an https node: its certificate's fingerprint (given with the farm key) or a CA. */
export const TLS_CLIENT_OPTIONS = {
  'tls-pin': { type: 'string' },
  'tls-ca': { type: 'string' },
} as const;

export interface ClientTls {
  pin?: string | undefined;
  ca?: string | undefined;
}

/** The flags, else VFO_TLS_PIN / VFO_TLS_CA (so every farm command reaches an https node the same way). */
async function tlsTrustFor(nodeUrl: string, given: ClientTls): Promise<TlsTrust | undefined> {
  const pinText = given.pin ?? process.env.VFO_TLS_PIN;
  const caPath = given.ca ?? process.env.VFO_TLS_CA;
  if (!pinText && !caPath) return undefined;
  const pins: Record<string, string> = {};
  if (pinText) {
    const pin = parseFingerprint(pinText);
    if (!pin) throw new UsageError('--tls-pin must be a sha256 fingerprint (64 hex digits, colons allowed)');
    // A pin given for this command asks for an encrypted, pinned connection: plain http would quietly
    // give neither. (VFO_TLS_PIN, set for a whole session, may meet http nodes too.)
    if (given.pin && new URL(nodeUrl).protocol !== 'https:')
      throw new UsageError(`--tls-pin pins an https node; ${nodeUrl} is not https`);
    pins[new URL(nodeUrl).origin] = pin;
  }
  const ca = caPath
    ? await readFile(caPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`--tls-ca: cannot read ${caPath} (${error.code ?? 'unknown'})`);
      })
    : undefined;
  return new TlsTrust({ ca, pins });
}

const DEFAULT_WAIT_TIMEOUT_MS = 6 * 60 * 60 * 1000;
const POLL_MS = 500;
const MAX_BACKOFF_MS = 5_000;

/**
 * A client of the farm speaks as itself: a key pair made for this run, admitted with the farm key
 * (the key itself is never sent), and requests signed for the node at `--node` only.
 */
export async function connect(
  keyFile: string | undefined,
  nodeUrl: string,
  tls: ClientTls = {},
): Promise<{ client: FarmClient; node: Peer }> {
  if (!keyFile) throw new UsageError('--farm-key-file is required');
  const key = await readFarmKey(keyFile).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  const trust = await tlsTrustFor(nodeUrl, tls);
  const client = createFarmClient({
    identity: ephemeralIdentity(key),
    trust: new FarmTrust(key),
    timeoutMs: 30_000,
    ...(trust ? { tls: trust } : {}),
  });
  try {
    return { client, node: await client.identify(nodeUrl) };
  } catch (error) {
    client.close();
    // Said with the URL: "GET /farm/v1/identity → 404" alone did not say which server answered.
    throw new Error(`${nodeUrl} did not answer as a Video Factory node: ${(error as Error).message}`);
  }
}

export function nodeUrl(value: string | undefined): string {
  if (!value) throw new UsageError('--node URL is required');
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new UsageError(`--node must be a URL like http://mac-mini.local:4870, not "${value}"`);
  return url.origin;
}

/** `vfo submit`: sends scripts to a node, which renders them on the farm and keeps the videos. */
export async function submitCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    node: { type: 'string' },
    'farm-key-file': { type: 'string' },
    wait: { type: 'boolean' },
    'wait-timeout': { type: 'string' },
    priority: { type: 'string' },
    ...TLS_CLIENT_OPTIONS,
  });
  if (values.help) {
    io.out(SUBMIT_USAGE);
    return EXIT.ok;
  }
  const priority = priorityArg(values.priority);
  if (positionals.length === 0) throw new UsageError(`no script given\n${SUBMIT_USAGE}`);
  const waitTimeoutMs =
    values['wait-timeout'] === undefined
      ? DEFAULT_WAIT_TIMEOUT_MS
      : parseDuration(values['wait-timeout'], 'wait-timeout');
  for (const script of positionals) {
    if ((await stat(script).catch(() => null))?.isFile() !== true)
      throw new UsageError(`cannot read ${script}`);
  }
  const { client, node } = await connect(values['farm-key-file'], nodeUrl(values.node), {
    pin: values['tls-pin'],
    ca: values['tls-ca'],
  });
  try {
    // Every script is checked, and its media found, before anything is sent (as `vfo render` does).
    const prepared = await prepareSubmissions(client, node, positionals, {});
    if (!prepared.ok) {
      io.err(diagnosticsText(prepared.diagnostics));
      io.err(`vfo: nothing submitted: ${positionals.length} script(s) checked, with errors`);
      return EXIT.invalid;
    }
    const media = await sendWantedMedia(client, node, prepared.files);
    if (prepared.files.size > 0) {
      io.err(
        `vfo: sent ${media.sent} media file(s) (${formatSize(media.sentBytes)}) the node lacked; ${media.alreadyThere} it had already`,
      );
    }
    const submitted: { script: string; jobId: string }[] = [];
    for (const { script, body } of prepared.submissions) {
      const reply = await client.json(
        node,
        'POST',
        '/farm/v1/jobs',
        { ...body, ...(priority !== undefined ? { priority } : {}) },
        submittedJobSchema,
      );
      submitted.push({ script, jobId: reply.jobId });
    }
    if (!values.wait) {
      if (values.json) printJson(io, submitted);
      else for (const s of submitted) io.out(s.jobId);
      return EXIT.ok;
    }
    const deadline = Date.now() + waitTimeoutMs;
    const finished = await Promise.all(submitted.map((s) => waitForJob(client, node, s.jobId, deadline, io)));
    if (values.json) printJson(io, finished);
    else
      for (const job of finished)
        io.out(printable(`${job.id} ${job.status} ${job.output ?? job.error ?? ''}`));
    return finished.every((j) => j.status === 'done') ? EXIT.ok : EXIT.failure;
  } finally {
    client.close();
  }
}

/** A node that restarts (or a LAN that drops out) is waited for, with backoff, until the deadline. */
function transient(error: unknown): boolean {
  return error instanceof FarmHttpError && ['unreachable', 'timeout', 'server'].includes(error.kind);
}

async function waitForJob(client: FarmClient, node: Peer, jobId: string, deadline: number, io: CliIo) {
  let backoff = POLL_MS;
  let reconnecting = false;
  for (;;) {
    try {
      const job = await client.json(node, 'GET', `/farm/v1/jobs/${jobId}`, undefined, JobViewSchema);
      if (job.id !== jobId) throw new FarmHttpError('bad-response', `asked for job ${jobId}, got ${job.id}`);
      if (reconnecting) io.err(`vfo: ${node.url} is back; still waiting for job ${jobId}`);
      reconnecting = false;
      backoff = POLL_MS;
      if (['done', 'failed', 'cancelled'].includes(job.status)) return job;
    } catch (error) {
      if (!transient(error)) throw error;
      if (!reconnecting)
        io.err(`vfo: ${node.url} cannot be reached (${(error as Error).message}); reconnecting`);
      reconnecting = true;
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
    if (Date.now() + backoff > deadline) {
      throw new FarmHttpError('timeout', `gave up waiting for job ${jobId}: --wait-timeout passed`);
    }
    await new Promise((r) => setTimeout(r, reconnecting ? backoff : POLL_MS));
  }
}

/** `vfo status`: the farm as one node sees it. */
export async function statusCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { node: { type: 'string' }, 'farm-key-file': { type: 'string' }, ...TLS_CLIENT_OPTIONS },
    { positionals: false },
  );
  if (values.help) {
    io.out(STATUS_USAGE);
    return EXIT.ok;
  }
  const { client, node } = await connect(values['farm-key-file'], nodeUrl(values.node), {
    pin: values['tls-pin'],
    ca: values['tls-ca'],
  });
  try {
    const status = await farmStatusOf(client, node);
    if (values.json) {
      printJson(io, status);
      return EXIT.ok;
    }
    for (const line of statusLines(status)) io.out(line);
    for (const line of activityLines(status)) io.out(line);
    return EXIT.ok;
  } finally {
    client.close();
  }
}

/** A node's answer to a submission: the new job's id (printed, then put in paths: a job id's shape). */
const submittedJobSchema = z.object({ jobId: z.string().regex(JOB_ID_PATTERN) });

/**
 * A node's status as the CLI takes it: the contract's shape, within the bounds the coordinator keeps
 * (a hostile node listed 40,000 tasks, and ids that carried a path of their own into a signed request).
 */
const StatusReplySchema = FarmStatusSchema.extend({
  coordinator: z
    .object({ id: z.string().max(128), url: z.string().max(2048), term: z.number().int() })
    .nullable(),
  nodes: FarmStatusSchema.shape.nodes.max(1000),
  tasks: z
    .array(FarmStatusSchema.shape.tasks.element.extend({ id: z.string().regex(TASK_ID_PATTERN) }))
    .max(QUEUE_VIEW_LIMITS.tasks),
  blocks: FarmStatusSchema.shape.blocks.max(QUEUE_VIEW_LIMITS.blocks),
  alerts: FarmStatusSchema.shape.alerts.max(1000),
  encodes: FarmStatusSchema.shape.encodes.max(1000),
});

/** `GET /api/v1/status` of a node, checked. */
export function farmStatusOf(client: FarmClient, node: Peer): Promise<FarmStatus> {
  return client.json(node, 'GET', '/api/v1/status', undefined, StatusReplySchema);
}

/** What `vfo submit --wait` reads of a job: checked, the rest of it kept for --json. */
const JobViewSchema = z.looseObject({
  id: z.string().regex(JOB_ID_PATTERN),
  status: JobStatusSchema,
  output: z.string().max(4096).nullable(),
  error: z.string().max(20_000).nullable(),
});

/** The encodes running (who, how far, how fast) and the alerts in force, most severe first. */
export function activityLines(status: Pick<FarmStatus, 'nodes' | 'encodes' | 'alerts'>): string[] {
  const names = new Map(status.nodes.map((n) => [n.id, n.name]));
  const lines: string[] = [];
  for (const e of status.encodes ?? []) {
    const rate = describeRate(e.rate);
    lines.push(
      `encoding: job ${e.jobId.slice(0, 8)} on ${names.get(e.workerId) ?? e.workerId} ${Math.floor(e.progress * 100)}%${rate ? ` ${rate}` : ''}`,
    );
  }
  const alerts = status.alerts ?? [];
  lines.push(alerts.length === 0 ? 'alerts: none' : `alerts: ${alerts.length}`);
  for (const a of alerts) lines.push(`  ${a.severity.toUpperCase().padEnd(8)} ${a.message}`);
  // Names and messages come from other machines.
  return lines.map(printable);
}

/**
 * `vfo status` for people: the nodes (role, state and why, version), the queue, its tasks and blocks.
 * Names, reasons and errors come from other machines: the lines are made printable.
 */
export function statusLines(status: FarmStatus): string[] {
  return farmStatusLines(status).map(printable);
}

function farmStatusLines(status: FarmStatus): string[] {
  const lines = [
    status.queue.backend === 'redis'
      ? 'queue in redis (no coordinator)'
      : `coordinator ${status.coordinator ? `${status.coordinator.id} (term ${status.coordinator.term}) ${status.coordinator.url}` : 'none yet'}`,
  ];
  for (const n of status.nodes) {
    const version = `${n.version ?? '?'}/p${n.protocol ?? '?'}`;
    lines.push(
      `  ${n.name.padEnd(16)} ${n.id} ${n.role.padEnd(11)} ${n.status.padEnd(12)} ${version.padEnd(12)} running ${n.running}  ${n.url}` +
        (n.reason ? `  (${n.reason})` : ''),
    );
  }
  lines.push(
    `queue: ${Object.entries(status.queue)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  for (const t of status.tasks ?? []) {
    const where = t.workerName ?? t.workerId;
    lines.push(
      `  task ${t.id.slice(0, 12)} ${t.status.padEnd(6)} priority ${String(t.priority).padStart(4)}  job ${t.jobId.slice(0, 8)}` +
        (where ? ` on ${where}` : '') +
        (t.segment ? ` segment ${t.segment.index + 1}/${t.segment.count}` : '') +
        (t.status === 'failed' && t.lastError ? `  ${t.lastError}` : ''),
    );
  }
  for (const b of status.blocks ?? []) {
    lines.push(
      `  blocked: ${b.workerName ?? b.workerId} for job ${b.jobId.slice(0, 8)} (${b.failures} failed tasks; last: ${b.lastError})`,
    );
  }
  return lines;
}

import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createFarmClient, type FarmClient, readFarmKey } from '../farm/net/index.ts';
import { parseCommandArgs } from './args.ts';
import { type CliIo, EXIT, printJson, UsageError } from './io.ts';

export const SUBMIT_USAGE =
  'usage: vfo submit <scripts...> --node URL --farm-key-file FILE [--wait] [--json]';
export const STATUS_USAGE = 'usage: vfo status --node URL --farm-key-file FILE [--json]';

async function clientFor(keyFile: string | undefined): Promise<FarmClient> {
  if (!keyFile) throw new UsageError('--farm-key-file is required');
  const key = await readFarmKey(keyFile).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  return createFarmClient({ key, nodeId: 'vfo-cli', timeoutMs: 30_000 });
}

function nodeUrl(value: string | undefined): string {
  if (!value) throw new UsageError('--node URL is required');
  try {
    return new URL(value).origin;
  } catch {
    throw new UsageError(`--node must be a URL like http://mac-mini.local:4870, not "${value}"`);
  }
}

/** `vfo submit`: sends scripts to a node, which renders them on the farm and keeps the videos. */
export async function submitCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    node: { type: 'string' },
    'farm-key-file': { type: 'string' },
    wait: { type: 'boolean' },
  });
  if (values.help) {
    io.out(SUBMIT_USAGE);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError(`no script given\n${SUBMIT_USAGE}`);
  const url = nodeUrl(values.node);
  const client = await clientFor(values['farm-key-file']);
  try {
    const submitted: { script: string; jobId: string }[] = [];
    for (const script of positionals) {
      if ((await stat(script).catch(() => null))?.size === undefined)
        throw new UsageError(`cannot read ${script}`);
      const text = await readFile(script, 'utf8');
      const reply = (await client.json(url, 'POST', '/farm/v1/jobs', { name: basename(script), text })) as {
        jobId: string;
      };
      submitted.push({ script, jobId: reply.jobId });
    }
    if (!values.wait) {
      if (values.json) printJson(io, submitted);
      else for (const s of submitted) io.out(s.jobId);
      return EXIT.ok;
    }
    const finished = await Promise.all(submitted.map((s) => waitForJob(client, url, s.jobId)));
    if (values.json) printJson(io, finished);
    else for (const job of finished) io.out(`${job.id} ${job.status} ${job.output ?? job.error ?? ''}`);
    return finished.every((j) => j.status === 'done') ? EXIT.ok : EXIT.failure;
  } finally {
    client.close();
  }
}

async function waitForJob(client: FarmClient, url: string, jobId: string) {
  for (;;) {
    const job = (await client.json(url, 'GET', `/farm/v1/jobs/${jobId}`)) as {
      id: string;
      status: string;
      output: string | null;
      error: string | null;
    };
    if (['done', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** `vfo status`: the farm as one node sees it. */
export async function statusCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    node: { type: 'string' },
    'farm-key-file': { type: 'string' },
  });
  if (values.help) {
    io.out(STATUS_USAGE);
    return EXIT.ok;
  }
  const url = nodeUrl(values.node);
  const client = await clientFor(values['farm-key-file']);
  try {
    const status = (await client.json(url, 'GET', '/api/v1/status')) as {
      coordinator: { id: string; url: string; term: number } | null;
      nodes: { id: string; name: string; role: string; status: string; url: string; running: number }[];
      queue: Record<string, number>;
    };
    if (values.json) {
      printJson(io, status);
      return EXIT.ok;
    }
    io.out(
      `coordinator ${status.coordinator ? `${status.coordinator.id} (term ${status.coordinator.term}) ${status.coordinator.url}` : 'none yet'}`,
    );
    for (const n of status.nodes)
      io.out(
        `  ${n.name.padEnd(16)} ${n.id} ${n.role.padEnd(11)} ${n.status.padEnd(8)} running ${n.running}  ${n.url}`,
      );
    io.out(
      `queue: ${Object.entries(status.queue)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    return EXIT.ok;
  } finally {
    client.close();
  }
}

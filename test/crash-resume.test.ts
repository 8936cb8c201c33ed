/**
 * Acceptance: kill -9 the process mid-render; the next start repairs the job (no step stays
 * 'running', no half-written file counts as an artifact) and resuming continues from the last good step.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMedia } from './support/media.ts';
import { runVfo, startVfo, tempDir } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let env: NodeJS.ProcessEnv;
let script: string;

interface StepRow {
  step_key: string;
  status: string;
  attempts: number;
  started_at: string | null;
}

function readDb<T>(sql: string): T[] {
  const db = new Database(join(dir.path, 'data', 'vfo.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if (condition()) return;
    } catch {
      // the database may not exist yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}

/** Live processes whose command line names this test's folder (the encode runner, ffmpeg). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(text)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ').slice(0, 120)}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** `pid` and every process below it (from /proc: each process's parent is the 4th field of its stat). */
function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), parent);
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++)
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** `vfo render` of `path` into the folder `out`, small and on one thread (so it runs long enough to be killed). */
function renderArgs(path: string, out: string): string[] {
  return ['render', path, '--out', join(dir.path, out), '--video-preset', 'preview-360p', '--threads', '1'];
}

async function listFilesRecursively(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  return entries.map((e) => join(root, e));
}

beforeAll(async () => {
  dir = await tempDir('vfo-crash-');
  env = { VFO_DATA_DIR: join(dir.path, 'data') };
  script = join(dir.path, 'long.md');
  const paragraph = 'This sentence is here so that the encode takes long enough to be interrupted. ';
  await writeFile(script, `# One\n\n${paragraph.repeat(6)}\n\n# Two\n\n${paragraph.repeat(6)}\n`);
}, 30_000);
afterAll(async () => dir?.remove());

describe('a render killed mid-encode', () => {
  it('resumes from its last good step after the next start, taking no partial file as a result', async () => {
    const child = startVfo(renderArgs(script, 'out'), env);
    const exited = new Promise((r) => child.on('exit', r));
    await waitFor(
      () =>
        readDb<{ progress: number }>(
          "SELECT progress FROM job_steps WHERE step_key = 'video' AND status = 'running'",
        ).length > 0 &&
        readDb<StepRow>("SELECT * FROM job_steps WHERE step_key = 'plan' AND status = 'done'").length > 0,
      90_000,
    );
    await new Promise((r) => setTimeout(r, 700)); // let ffmpeg write part of the file
    child.kill('SIGKILL');
    await exited;

    const before = readDb<StepRow>('SELECT step_key, status, attempts, started_at FROM job_steps');
    expect(before.find((s) => s.step_key === 'video')?.status).toBe('running');

    // Any start repairs: here a read-only command.
    const listed = await runVfo(['jobs', '--json'], env);
    expect(listed.code).toBe(0);
    const [job] = JSON.parse(listed.stdout) as { id: string; status: string }[];
    expect(job?.status).toBe('queued');
    expect(readDb<StepRow>("SELECT * FROM job_steps WHERE status = 'running'")).toEqual([]);
    // The encoder did not outlive the killed process, and its partial output is gone.
    await waitFor(() => processesMentioning(dir.path).length === 0, 5_000);
    const leftovers = (await listFilesRecursively(join(dir.path, 'data'))).filter((p) =>
      p.includes('.partial-'),
    );
    expect(leftovers).toEqual([]);
    expect(readDb<{ path: string }>("SELECT path FROM artifacts WHERE path LIKE '%partial%'")).toEqual([]);
    expect(readDb<{ n: number }>("SELECT count(*) AS n FROM artifacts WHERE type = 'video'")[0]?.n).toBe(0);

    const resumed = await runVfo(renderArgs(script, 'out'), env);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`resuming job ${job?.id.slice(0, 8)}`);
    const after = readDb<StepRow>('SELECT step_key, status, attempts, started_at FROM job_steps');
    expect(after.every((s) => s.status === 'done')).toBe(true);
    for (const step of before.filter((s) => s.step_key !== 'video')) {
      const now = after.find((s) => s.step_key === step.step_key);
      expect(now?.attempts).toBe(step.attempts);
      expect(now?.started_at).toBe(step.started_at);
    }
    expect(after.find((s) => s.step_key === 'video')?.attempts).toBe(2);
    const facts = await probeMedia(resumed.stdout.trim());
    expect(facts.width).toBe(640);
    expect(Math.abs(facts.videoSeconds - facts.audioSeconds)).toBeLessThanOrEqual(0.1);
  }, 120_000);

  // Found by attacking a node: an encode runner killed with -9 (an out-of-memory kill, or a whole
  // process group) left its side files in the system's temporary folder, where nothing removed them.
  it('killed with everything it started, leaves nothing behind once the next start repaired it', async () => {
    const tmp = join(dir.path, 'tmp');
    await mkdir(tmp, { recursive: true });
    const withTmp = { ...env, TMPDIR: tmp };
    const another = join(dir.path, 'another.md');
    await writeFile(another, (await readFile(script, 'utf8')).replace('# One', '# Another one'));
    const child = startVfo(renderArgs(another, 'out2'), withTmp);
    const exited = new Promise((r) => child.on('exit', r));
    await waitFor(
      () =>
        readDb<{ n: number }>(
          "SELECT count(*) AS n FROM job_steps WHERE step_key = 'video' AND status = 'running'",
        )[0]?.n === 1,
      90_000,
    );
    await new Promise((r) => setTimeout(r, 700));
    for (const pid of processTree(child.pid as number).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await exited;
    expect(await readdir(tmp)).toEqual([]);
    expect((await runVfo(['jobs', '--json'], withTmp)).code).toBe(0);
    const left = (await listFilesRecursively(join(dir.path, 'data', 'work'))).filter(
      (p) => p.includes('.encode-') || p.includes('.partial-'),
    );
    expect(left).toEqual([]);
  }, 120_000);
});

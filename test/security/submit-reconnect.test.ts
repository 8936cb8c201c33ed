/**
 * Farm trust 10 — clients that outlive a restart. `vfo submit --wait` keeps waiting while its node
 * restarts (stopped mid-job, started again on the same port and data folder): it reconnects with
 * backoff and reports the job's end, instead of exiting on ECONNREFUSED.
 */

import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FarmKeyFile,
  longScript,
  makeFarmKey,
  type NodeProcess,
  readDb,
  startNode,
  stopFarm,
  until,
} from '../farm/farm-support.ts';
import { startVfo, tempDir } from '../support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = await tempDir('vfo-reconnect-');
  key = await makeFarmKey(dir.path);
});

afterAll(() => stopFarm(dir, key));

describe('vfo submit --wait across a restart of its node', () => {
  it('reconnects and reports the job done', async () => {
    const port = await freePort();
    const start = () =>
      startNode({ root: dir.path, name: 'sierra', key, extraArgs: ['--port', String(port)] });
    let node: NodeProcess = await start();
    const script = join(dir.path, 'restart.md');
    await writeFile(script, longScript('restart', 12));
    const cli = startVfo([
      ...['submit', script, '--node', node.url, '--farm-key-file', key.path],
      ...['--wait', '--wait-timeout', '120s'],
    ]);
    let stdout = '';
    let stderr = '';
    cli.stdout?.on('data', (d) => {
      stdout += d;
    });
    cli.stderr?.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => cli.on('close', resolve));

    await until(
      () => readDb<{ status: string }>(node.dataDir, 'SELECT status FROM jobs')[0]?.status === 'running',
      30_000,
      'the job to be running',
      100,
    );
    node.signal('SIGTERM');
    await until(() => node.exited(), 15_000, 'the node to stop');
    // Down long enough for the client to notice and back off a few times.
    await new Promise((r) => setTimeout(r, 2_500));
    node = await start();

    const code = await exited;
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/cannot be reached .*reconnecting/);
    expect(stderr).toMatch(/is back; still waiting/);
    const [line] = stdout.trim().split('\n');
    expect(line).toMatch(/^[0-9a-f-]{36} done \/.+\.mp4$/);
  });
});

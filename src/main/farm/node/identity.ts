import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

const NODE_ID = /^[a-z0-9]{12}$/;

/** A node keeps its id across restarts (its tasks and leases are known by it); made once per data folder. */
export async function loadNodeId(dataDir: string): Promise<string> {
  const path = join(dataDir, 'node-id');
  const existing = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (NODE_ID.test(existing)) return existing;
  const id = randomBytes(6).toString('hex');
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${id}\n`);
  return id;
}

/** The name people see: --name, else the machine's name without its domain. */
export function defaultNodeName(): string {
  return (hostname().split('.')[0] ?? 'mac').replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40) || 'mac';
}

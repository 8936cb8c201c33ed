/**
 * A real headless node (`vfo node`) in a child process, on loopback only, with its own data folder.
 * Its output goes to a log file kept with the test's results.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { E2E_LAN_HOST } from './lan-host.ts';

const REPO = resolve(import.meta.dirname, '../../..');
/** Which `vfo` to run; the default is the project's own. */
const VFO = process.env.VFO_E2E_VFO ?? join(REPO, 'bin', 'vfo.js');
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

export interface NodeOptions {
  name: string;
  dataDir: string;
  port: number;
  farmKeyFile: string;
  logFile: string;
  /** Extra `vfo node` arguments (e.g. --ffmpeg, --video-preset). */
  extraArgs?: string[];
}

export interface RunningNode {
  name: string;
  url: string;
  stop(): Promise<void>;
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // Never let a developer's real keys reach a test node.
  for (const key of ['ANTHROPIC_API_KEY', 'AZURE_SPEECH_KEY', 'AZURE_SPEECH_REGION', 'VFO_DATA_DIR'])
    delete env[key];
  return env;
}

async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  const until = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the node exited early with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/api/v1/session/challenge`, {
        headers: { 'x-vfo-ui': '1' },
        signal: AbortSignal.timeout(1000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the node did not answer at ${url} within ${READY_TIMEOUT_MS} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const args = [
    VFO,
    'node',
    ...['--data', options.dataDir],
    ...['--port', String(options.port)],
    ...['--name', options.name],
    ...['--farm-key-file', options.farmKeyFile],
    ...['--interface', '127.0.0.1'],
    // The browser reaches the node by this name, as by a name in a studio's own DNS.
    ...['--ui-host', E2E_LAN_HOST],
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(options.logFile);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(url, child);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    name: options.name,
    url,
    async stop() {
      await stopChild(child);
      log.end();
    },
  };
}

/**
 * A real redis-server (Debian's package) for tests and benchmarks: started on a free loopback port in
 * a given folder, killed by its PID, restartable on the same port and folder (an AOF test), with TLS
 * when asked. Every wait is bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  pid(): number;
  /** Everything redis-server printed. */
  log(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder (what it saved comes back, with --appendonly). */
  restart(): Promise<void>;
}

export interface RedisServerOptions {
  dir: string;
  /** --appendonly yes --appendfsync always: every write on disk before it is acknowledged. */
  appendOnly?: boolean;
  /** Serve TLS only (rediss://), with these PEM files. */
  tls?: { certPath: string; keyPath: string; caPath: string };
  /** Clients must give this password. */
  requirePass?: string;
}

const running = new Set<ChildProcess>();

/** A port no one listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(options: RedisServerOptions): Promise<RedisServer> {
  await mkdir(options.dir, { recursive: true });
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--save', '', '--dir', options.dir, '--protected-mode', 'yes'];
  if (options.appendOnly) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  if (options.requirePass) args.push('--requirepass', options.requirePass);
  if (options.tls) {
    args.push('--port', '0', '--tls-port', String(port));
    args.push('--tls-cert-file', options.tls.certPath, '--tls-key-file', options.tls.keyPath);
    args.push('--tls-ca-cert-file', options.tls.caPath, '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(port));
  }
  let child: ChildProcess | null = null;
  let output = '';
  const launch = async () => {
    output = '';
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    running.add(started);
    started.stdout?.on('data', (d) => {
      output += d;
    });
    started.stderr?.on('data', (d) => {
      output += d;
    });
    started.once('exit', () => running.delete(started));
    await until(
      () => {
        if (started.exitCode !== null) throw new Error(`redis-server exited early:\n${output}`);
        return /Ready to accept connections/.test(output);
      },
      10_000,
      'redis-server to accept connections',
    );
  };
  await launch();
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill(signal);
    await exited;
  };
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    port,
    dir: options.dir,
    pid: () => child?.pid ?? 0,
    log: () => output,
    kill,
    async restart() {
      await kill('SIGKILL');
      await launch();
    },
  };
}

/** afterAll: every redis-server this file started is killed. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/**
 * A real redis-server for the Redis-mode farm tests (Debian's package): started on a free loopback
 * port in the test's temp folder, killed by its PID, restartable on the same port and folder (an AOF
 * test), with TLS when asked. Also: which sockets of a process listen for mDNS (none, in Redis mode).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { until } from './farm-support.ts';

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
      50,
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

/** UDP sockets of process `pid` bound to port 5353 (mDNS), from /proc. */
export function mdnsSocketsOf(pid: number): number {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; 5353 = 0x14E9.
      if (cols[1]?.endsWith(':14E9') && cols[9]) inodes.add(cols[9]);
    }
  }
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(join(`/proc/${pid}/fd`, fd));
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

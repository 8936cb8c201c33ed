/**
 * A real redis-server for the Redis-mode farm tests (Debian's package): started on a free loopback
 * port in the test's temp folder, killed by its PID, restartable on the same port and folder (an AOF
 * test), with TLS when asked. Also: which sockets of a process listen for mDNS (none, in Redis mode).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export {
  freePort,
  type RedisServer,
  type RedisServerOptions,
  startRedis,
  stopAllRedis,
} from '../../bench/sim/redis-server.ts';

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

/** The desktop app has the preload's bridge; a browser on the LAN talks HTTP to the node that served it. */
import type { Connection } from './connection.ts';
import { httpConnection } from './http-client.ts';
import { ipcConnection } from './ipc-client.ts';

export function pickConnection(): Connection {
  const bridge = window.vfoBridge;
  return bridge ? ipcConnection(bridge) : httpConnection('');
}

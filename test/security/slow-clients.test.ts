/**
 * Farm trust 7 — slow clients. 50 connections from one address trickle their headers (a byte every
 * 300 ms, never done): each is closed within the node's headers timeout, and while they hang a real
 * client's signed request is served at once. One address cannot hold more than its share of
 * connections: past the cap, new ones are closed straight away.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FarmKeyFile,
  makeFarmKey,
  type NodeProcess,
  startNode,
  statusOf,
  stopFarm,
} from '../farm/farm-support.ts';
import { runVfo, tempDir } from '../support/vfo.ts';

const HEADERS_TIMEOUT_MS = 5_000;
const CAP = 60;

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let node: NodeProcess;
const sockets: Socket[] = [];

/** Slow connections closed so far (by the node: the test closes none before the end). */
let closedSoFar = 0;

/** A connection from `from`; resolves with how long it stayed open, measured from the connect. */
function trickle(from: string): { closed: Promise<number> } {
  const { hostname, port } = new URL(node.url);
  const socket = connect({ host: hostname, port: Number(port), localAddress: from });
  sockets.push(socket);
  const opened = Date.now();
  const text = 'GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: ';
  let sent = 0;
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(text[sent % text.length] as string);
    sent += 1;
  }, 300);
  const closed = new Promise<number>((resolve) => {
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closedSoFar += 1;
      clearInterval(timer);
      resolve(Date.now() - opened);
    });
  });
  return { closed };
}

beforeAll(async () => {
  dir = await tempDir('vfo-slow-');
  key = await makeFarmKey(dir.path);
  node = await startNode({
    root: dir.path,
    name: 'quebec',
    key,
    extraArgs: ['--headers-timeout', `${HEADERS_TIMEOUT_MS}ms`, '--max-connections-per-client', String(CAP)],
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await stopFarm(dir, key);
});

describe('clients that send their headers slowly', () => {
  it('are closed within the headers timeout while a real request is served', async () => {
    const slow = Array.from({ length: 50 }, () => trickle('127.0.0.2'));
    await new Promise((r) => setTimeout(r, 500));
    // A signed request from this process (a CLI's start-up on a loaded machine took longer than the
    // timeout itself): served while all 50 still hang, none closed (by its timeout) before the answer.
    const status = await statusOf(key, node);
    expect(status.self).toBe(node.id);
    expect(closedSoFar).toBe(0);
    const lifetimes = await Promise.all(slow.map((s) => s.closed));
    // Node checks the timeout once a second: closed within the timeout plus that tick (and slack for
    // a loaded machine; the default check, 30 s, would fail this by far).
    for (const ms of lifetimes) expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + 2_500);
    expect(Math.min(...lifetimes)).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 1_000);
  });

  it('one address holds at most its cap of connections; a real client is still served', async () => {
    const held = Array.from({ length: CAP + 20 }, () => trickle('127.0.0.3'));
    const early = await Promise.all(
      held.map((h) => Promise.race([h.closed, new Promise<number>((r) => setTimeout(() => r(-1), 1_000))])),
    );
    const cutAtOnce = early.filter((ms) => ms >= 0 && ms < 1_000).length;
    expect(cutAtOnce).toBe(20);
    const status = await runVfo(['status', '--node', node.url, '--farm-key-file', key.path, '--json']);
    expect(status.code, status.stderr).toBe(0);
    await Promise.all(held.map((h) => h.closed));
  });
});

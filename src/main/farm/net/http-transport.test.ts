import { Agent } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, readResponse } from './http-transport.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/**
 * A peer that answers the first request of each connection and keeps the socket open, then resets the
 * connection when a second request arrives on it: what a peer closing an idle kept-alive socket looks
 * like to a request sent on it at that moment.
 */
function resettingPeer(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const peer = createServer((socket: Socket) => {
    let served = 0;
    socket.on('data', (chunk) => {
      if (!chunk.toString('latin1').includes('\r\n\r\n')) return;
      requests++;
      served++;
      if (served > 1) {
        socket.resetAndDestroy();
        return;
      }
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
    });
  });
  server = peer;
  return new Promise((resolve) =>
    peer.listen(0, '127.0.0.1', () => {
      const { port } = peer.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, requests: () => requests });
    }),
  );
}

// Found by CI: `POST /farm/v1/worker/resume failed: ECONNRESET`, a request sent on a kept-alive socket
// the node closed at that moment.
describe('a request on a kept-alive socket the peer resets', () => {
  it('goes again once, on a new socket', async () => {
    const peer = await resettingPeer();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = async () => {
      const { response, done } = await exchange({
        baseUrl: peer.url,
        method: 'POST',
        path: '/farm/v1/worker/resume',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from('{}'),
        agent,
        idleTimeoutMs: 5000,
      });
      const text = (await readResponse(response, 1024)).toString();
      done();
      return text;
    };
    expect(await send()).toBe('ok');
    // Sent on the kept socket, reset, sent again on a new one.
    expect(await send()).toBe('ok');
    expect(peer.requests()).toBe(3);
    agent.destroy();
  });
});

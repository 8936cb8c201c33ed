/**
 * Farm trust 1 — replay across nodes. Real requests made by real `vfo` processes are captured on their
 * way to one node (a proxy keeps their exact bytes) and sent again: to another node of the same farm
 * they are refused (signed for someone else), to their own node they are refused (nonce already
 * seen), and with any signed header rewritten they are refused. The test never signs anything itself.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralIdentity, FARM_HEADER, farmKeyFromText } from '../../src/main/farm/net/index.ts';
import {
  type FarmKeyFile,
  makeFarmKey,
  type NodeProcess,
  readDb,
  startNodes,
  statusOf,
  stopFarm,
  until,
} from '../farm/farm-support.ts';
import { runVfo, tempDir } from '../support/vfo.ts';
import { type CapturedRequest, headerOf, rebuild, sendRaw, startCaptureProxy, withHeader } from './wire.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let juliet: NodeProcess;
let kilo: NodeProcess;

const jobCount = (node: NodeProcess) =>
  readDb<{ n: number }>(node.dataDir, 'SELECT count(*) AS n FROM jobs')[0]?.n ?? -1;

async function selfStatus(node: NodeProcess) {
  return (await statusOf(key, node)).nodes.find((n) => n.id === node.id)?.status;
}

beforeAll(async () => {
  dir = await tempDir('vfo-replay-');
  key = await makeFarmKey(dir.path);
  [juliet, kilo] = (await startNodes(dir.path, key, ['juliet', 'kilo'])) as [NodeProcess, NodeProcess];
  await until(
    async () => (await statusOf(key, juliet)).nodes.filter((n) => n.status === 'online').length === 2,
    20_000,
    'juliet and kilo to see each other',
  );
});

afterAll(() => stopFarm(dir, key));

describe('a request captured on its way to one node', () => {
  it('a captured job submission is rendered once: refused by another node and by its own', async () => {
    const proxy = await startCaptureProxy(juliet.url);
    try {
      const script = join(dir.path, 'once.md');
      await writeFile(script, '# Once\n\nThis video must exist once.\n');
      const submitted = await runVfo(['submit', script, '--node', proxy.url, '--farm-key-file', key.path]);
      expect(submitted.code, submitted.stderr).toBe(0);
      const capture = proxy.captured.find((r) => r.method === 'POST' && r.path === '/farm/v1/jobs');
      expect(capture, 'the submission crossed the proxy').toBeDefined();
      const request = capture as CapturedRequest;
      expect(headerOf(request, FARM_HEADER.to)).toBe(juliet.id);
      expect(jobCount(juliet)).toBe(1);

      const elsewhere = await sendRaw(kilo.url, request.raw);
      expect(elsewhere.status).toBe(401);
      expect(elsewhere.json.error?.reason).toBe('wrong-receiver');
      expect(jobCount(kilo)).toBe(0);

      const again = await sendRaw(juliet.url, request.raw);
      expect(again.status).toBe(401);
      expect(again.json.error?.reason).toBe('replayed');
      expect(jobCount(juliet)).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('a captured pause pauses no other node, and with any signed header rewritten it gets 401', async () => {
    // Held, not delivered: the capture stays usable, so each 401 below is the rewrite's doing.
    const proxy = await startCaptureProxy(juliet.url, (r) => r.path === '/farm/v1/worker/pause');
    let request: CapturedRequest;
    try {
      const paused = await runVfo(['farm', 'pause', '--node', proxy.url, '--farm-key-file', key.path]);
      expect(paused.code).toBe(1); // the proxy held the request back
      request = proxy.captured.find((r) => r.path === '/farm/v1/worker/pause') as CapturedRequest;
      expect(request).toBeDefined();
    } finally {
      await proxy.close();
    }

    const atKilo = await sendRaw(kilo.url, request.raw);
    expect(atKilo.status).toBe(401);
    expect(atKilo.json.error?.reason).toBe('wrong-receiver');
    expect(await selfStatus(kilo)).toBe('online');

    const other = ephemeralIdentity(farmKeyFromText(key.text));
    const time = Number(headerOf(request, FARM_HEADER.time));
    const signature = headerOf(request, FARM_HEADER.signature) as string;
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const rewrites: [string, Buffer, string][] = [
      ['the receiver, to kilo', withHeader(request, FARM_HEADER.to, kilo.id), 'wrong-receiver'],
      ['the sender id', withHeader(request, FARM_HEADER.node, other.id), 'not-admitted'],
      ['the public key', withHeader(request, FARM_HEADER.publicKey, other.publicKey), 'not-admitted'],
      ['the admission', withHeader(request, FARM_HEADER.admission, other.admission), 'not-admitted'],
      ['the time', withHeader(request, FARM_HEADER.time, String(time + 1)), 'bad-signature'],
      ['the nonce', withHeader(request, FARM_HEADER.nonce, 'f'.repeat(32)), 'bad-signature'],
      ['the signature', withHeader(request, FARM_HEADER.signature, flipped), 'bad-signature'],
      ['the content type', withHeader(request, 'content-type', 'application/json'), 'bad-signature'],
      ['the path', rebuild({ ...request, path: '/farm/v1/worker/drain' }), 'bad-signature'],
      [
        'the sender, all three headers',
        rebuild({
          ...request,
          headers: request.headers.map(([n, v]): [string, string] => {
            if (n.toLowerCase() === FARM_HEADER.node) return [n, other.id];
            if (n.toLowerCase() === FARM_HEADER.publicKey) return [n, other.publicKey];
            if (n.toLowerCase() === FARM_HEADER.admission) return [n, other.admission];
            return [n, v];
          }),
        }),
        'bad-signature',
      ],
    ];
    for (const [what, bytes, reason] of rewrites) {
      const reply = await sendRaw(juliet.url, bytes);
      expect(reply.status, `rewritten ${what}`).toBe(401);
      expect(reply.json.error?.reason, `rewritten ${what}`).toBe(reason);
    }
    expect(await selfStatus(juliet)).toBe('online');

    // The capture itself was valid: delivered untouched, once, it works; a second time it does not.
    const delivered = await sendRaw(juliet.url, request.raw);
    expect(delivered.status).toBe(200);
    expect(delivered.json).toMatchObject({ paused: true });
    expect(await selfStatus(juliet)).toBe('paused');
    const replayed = await sendRaw(juliet.url, request.raw);
    expect(replayed.status).toBe(401);
    expect(replayed.json.error?.reason).toBe('replayed');

    const resumed = await runVfo(['farm', 'resume', '--node', juliet.url, '--farm-key-file', key.path]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await selfStatus(juliet)).toBe('online');
  });
});

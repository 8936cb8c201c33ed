/**
 * Farm trust — the CLI as the client of a hostile node: a key holder turned hostile signs its replies
 * with an identity the farm key admits, so they pass the signature check; what they say is still
 * checked. Each case runs the real `vfo` against a node of the test's own on loopback.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralIdentity, farmKeyFromText, signReply } from '../../src/main/farm/net/index.ts';
import { requestBinding } from '../../src/main/farm/net/signing.ts';
import { type FarmKeyFile, makeFarmKey } from '../farm/farm-support.ts';
import { runVfo, tempDir } from '../support/vfo.ts';

const TASK = `abcd1234${'0'.repeat(56)}`;
const JOB = '0123abcd-0000-4000-8000-000000000001';
const EVIL = '\u001b]0;owned\u0007\u001b[31mred \u009b31m \u202eexe.txt';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let server: Server;
let url: string;
let me: ReturnType<typeof ephemeralIdentity>;
/** What the node does wrong now, and the requests it got. */
let mode = '';
let requests: { method: string; path: string }[] = [];

function send(request: IncomingMessage, response: ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  const contentType = 'application/json; charset=utf-8';
  const binding = requestBinding(request.headers);
  const signed = binding
    ? signReply(me, {
        status: 200,
        contentType,
        bodySha256: createHash('sha256').update(body).digest('hex'),
        requestNonce: binding.nonce,
        requester: binding.from,
      })
    : {};
  response.writeHead(200, { 'content-type': contentType, 'content-length': body.length, ...signed });
  response.end(body);
}

function status(): Record<string, unknown> {
  const node = {
    ...{ id: me.id, name: mode === 'status-c1' ? `n1 ${EVIL}` : 'n1', role: 'coordinator', status: 'online' },
    ...{ reason: null, version: '1', protocol: 1, url, running: 0 },
    capabilities: { encoders: ['libx264'], cores: 2, slots: 1 },
  };
  const task = {
    ...{
      id: mode === 'task-path' ? `${TASK}/cancel?` : TASK,
      jobId: JOB,
      originNodeId: me.id,
      originName: 'n1',
    },
    ...{ status: 'queued', priority: 0, createdAt: 1, attempts: 0, workerId: null, workerName: null },
    ...{ progress: null, lastError: null, segment: null },
  };
  return {
    self: me.id,
    coordinator: { id: me.id, url, term: 1 },
    nodes: [node],
    ignored: [],
    queue: { backend: 'lan', queued: 1, running: 0, done: 0, failed: 0 },
    tasks: [task],
    blocks: [],
    blockLimit: 3,
    alerts: [],
    encodes: [],
  };
}

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const path = request.url ?? '';
  requests.push({ method: request.method ?? '', path });
  if (path === '/farm/v1/identity')
    return send(request, response, { id: me.id, publicKey: me.publicKey, admission: me.admission });
  if (path === '/api/v1/status') return send(request, response, status());
  if (path.startsWith('/farm/v1/tasks/'))
    return send(request, response, { result: mode === 'result-escapes' ? `cancelled ${EVIL}` : 'withdrawn' });
  if (path === '/farm/v1/scripts/check') {
    const { name } = JSON.parse(Buffer.concat(chunks).toString()) as { name: string };
    const use = { kind: 'image', path: 'pic.png', line: 3, col: 8, found: true };
    const media = Array.from({ length: mode === 'check-repeats' ? 50 : 1 }, () => use);
    return send(request, response, {
      ...{ name, ok: true, diagnostics: [], media, title: null, scenes: [], estimatedSeconds: 1 },
    });
  }
  if (path === '/farm/v1/media/wanted') {
    const { sha256s } = JSON.parse(Buffer.concat(chunks).toString()) as { sha256s: string[] };
    return send(request, response, {
      wanted: mode === 'wanted-repeats' ? Array(200).fill(sha256s[0]) : sha256s,
    });
  }
  if (path.startsWith('/farm/v1/media/')) return send(request, response, { stored: true });
  if (path === '/farm/v1/jobs') return send(request, response, { jobId: JOB });
  response.writeHead(404).end();
}

beforeAll(async () => {
  dir = await tempDir('vfo-hostile-node-');
  key = await makeFarmKey(dir.path);
  me = ephemeralIdentity(farmKeyFromText(key.text));
  server = createServer((request, response) => void answer(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await writeFile(join(dir.path, 'pic.png'), Buffer.from('not really a picture, but bytes to send'));
  await writeFile(join(dir.path, 'a.md'), '# One\n\n[image pic.png]\nHello.\n');
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dir?.remove();
});

async function vfo(...args: string[]) {
  requests = [];
  return runVfo([...args, '--node', url, '--farm-key-file', key.path], {
    VFO_DATA_DIR: join(dir.path, 'data'),
  });
}

/** No escape sequence, 8-bit CSI or bidi override reaches the terminal. */
function expectNothingATerminalActsOn(text: string): void {
  for (const char of ['\u001b', '\u0007', '\u009b', '\u202e']) expect(text).not.toContain(char);
}

describe('vfo as the client of a hostile node', () => {
  it('never sends a signed request to a path a task id from the status carried', async () => {
    mode = 'task-path';
    const result = await vfo('farm', 'requeue', 'abcd1234');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unexpected reply (tasks.0.id');
    expect(requests.filter((r) => r.path.startsWith('/farm/v1/tasks/'))).toEqual([]);
  });

  it('prints only a result it knows for a requeue or a cancel', async () => {
    mode = 'result-escapes';
    const refused = await vfo('farm', 'cancel', 'abcd1234');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('unexpected reply (result');
    expectNothingATerminalActsOn(refused.stdout + refused.stderr);
    mode = '';
    const done = await vfo('farm', 'cancel', 'abcd1234');
    expect(done.stdout.trim()).toBe(`${TASK} withdrawn`);
  });

  it('escapes 8-bit controls and bidi overrides in --json as in plain text', async () => {
    mode = 'status-c1';
    const json = await vfo('status', '--json');
    expect(json.code).toBe(0);
    expectNothingATerminalActsOn(json.stdout);
    expect(json.stdout).toContain('\\u009b31m');
    expect(JSON.parse(json.stdout).nodes[0].name).toBe(`n1 ${EVIL}`);
    const plain = await vfo('status');
    expectNothingATerminalActsOn(plain.stdout);
  });

  it('sends a file once, however often the node asks for it or lists it', async () => {
    mode = 'wanted-repeats';
    const refused = await vfo('submit', join(dir.path, 'a.md'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('POST /farm/v1/media/wanted → unexpected reply (wanted');
    expect(requests.filter((r) => r.method === 'PUT')).toEqual([]);
    mode = 'check-repeats';
    const sent = await vfo('submit', join(dir.path, 'a.md'));
    expect(sent.code).toBe(0);
    expect(requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(sent.stdout.trim()).toBe(JOB);
  });
});

/**
 * Farm trust 5 and 8 — the UI's edge on a real node. Login denial and guessing: Challenges belong to the address
 * that asked: 1,001 requests from one address evict none of another's, and are rate limited (429 with
 * Retry-After). Wrong proofs are rate limited per address, and past the limit even the right proof
 * waits (no faster guessing). A real user logs in from another address throughout. Every reply carries
 * the browser protections (CSP with frame-ancestors 'none', nosniff, a referrer policy). Every call's
 * arguments are parsed by the contract's schema: 400 with the field, and no internal text ever.
 */
import { createHmac } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CALL_BODY_BYTES } from '../../src/shared/contract.ts';
import {
  type FarmKeyFile,
  makeFarmKey,
  type NodeProcess,
  startNode,
  stopFarm,
  until,
} from '../farm/farm-support.ts';
import { tempDir } from '../support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let node: NodeProcess;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
}

/** One HTTP exchange from a chosen loopback address (127.0.0.2+ stand for other machines). */
function call(
  from: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const { hostname, port } = new URL(node.url);
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: hostname,
        port,
        method,
        path,
        localAddress: from,
        agent: false,
        headers: {
          ...headers,
          ...(data
            ? {
                'content-type': 'application/json',
                'x-vfo-ui': '1',
                'content-length': String(Buffer.byteLength(data)),
              }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text);
          } catch {
            // a page, or empty
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const proofFor = (nonce: string, keyText = key.text) =>
  createHmac('sha256', keyText).update(`vfo-ui-session:${nonce}`).digest('hex');

async function challenge(from: string): Promise<Reply> {
  return call(from, 'GET', '/api/v1/session/challenge', undefined, { 'x-vfo-ui': '1' });
}

async function logIn(from: string, nonce: string, proof: string): Promise<Reply> {
  return call(from, 'POST', '/api/v1/session', { nonce, proof });
}

beforeAll(async () => {
  dir = await tempDir('vfo-login-');
  key = await makeFarmKey(dir.path);
  const page = join(dir.path, 'renderer');
  await mkdir(page);
  await writeFile(join(page, 'index.html'), '<!doctype html><title>UI</title>');
  node = await startNode({
    root: dir.path,
    name: 'papa',
    key,
    env: { VFO_RENDERER_DIR: page },
    extraArgs: ['--ui-host', 'render-1.studio.example'],
  });
});

afterAll(() => stopFarm(dir, key));

describe('logging in to a node while others flood it', () => {
  it('a flood of 1,001 challenge requests from one address neither evicts nor blocks a user elsewhere', async () => {
    const mine = await challenge('127.0.0.1');
    expect(mine.status).toBe(200);
    const nonce = mine.json.nonce as string;

    const statuses = new Map<number, number>();
    let retryAfter: string | undefined;
    for (let i = 0; i < 1001; i++) {
      const reply = await challenge('127.0.0.2');
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status === 429) retryAfter ??= reply.headers['retry-after'] as string;
    }
    expect(statuses.get(200)).toBe(30);
    expect(statuses.get(429)).toBe(971);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);

    // The challenge taken before the flood still works, and a new one can be had.
    const session = await logIn('127.0.0.1', nonce, proofFor(nonce));
    expect(session.status).toBe(204);
    expect(String(session.headers['set-cookie'])).toMatch(
      /^vfo_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict/,
    );
    const again = await challenge('127.0.0.1');
    expect(again.status).toBe(200);
  });

  it('wrong proofs are limited per address, and past the limit even the right proof waits', async () => {
    const guesser = '127.0.0.3';
    for (let i = 0; i < 10; i++) {
      const { json } = await challenge(guesser);
      const wrong = await logIn(
        guesser,
        json.nonce as string,
        proofFor(json.nonce as string, 'not-the-farm-key'),
      );
      expect(wrong.status).toBe(401);
    }
    const { json } = await challenge(guesser);
    const right = await logIn(guesser, json.nonce as string, proofFor(json.nonce as string));
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    // Another address, meanwhile, logs in at once.
    const user = await challenge('127.0.0.4');
    const session = await logIn('127.0.0.4', user.json.nonce as string, proofFor(user.json.nonce as string));
    expect(session.status).toBe(204);
  });

  // Found by attacking the UI: any web page the user visited spent the address's 30 challenges a
  // minute with plain cross-site GETs (no header of its own), and the user's own login got 429.
  it('answers a challenge only to the page (its header), so other pages cannot spend them', async () => {
    for (let i = 0; i < 40; i++) {
      const crossSite = await call('127.0.0.7', 'GET', '/api/v1/session/challenge');
      expect(crossSite.status).toBe(401);
    }
    const user = await challenge('127.0.0.7');
    expect(user.status).toBe(200);
    const session = await logIn('127.0.0.7', user.json.nonce as string, proofFor(user.json.nonce as string));
    expect(session.status).toBe(204);
  });

  // Found by attacking the UI: a page that rebinds its own DNS name to the node's address sends the
  // page's header as the same origin, and spent the user's address's challenges. Its requests name
  // the page's host: the API answers only the node's own names.
  it('refuses a page that rebound its name to the node (421), before the rate limits', async () => {
    const port = new URL(node.url).port;
    for (let i = 0; i < 40; i++) {
      const rebound = await call('127.0.0.8', 'GET', '/api/v1/session/challenge', undefined, {
        'x-vfo-ui': '1',
        host: `attacker.example:${port}`,
      });
      expect(rebound.status).toBe(421);
      expect(rebound.json.error).toMatchObject({ code: 'unknown-host' });
    }
    for (const host of ['a:b:c', '[::1']) {
      const malformed = await call('127.0.0.8', 'GET', '/api/v1/session/challenge', undefined, {
        'x-vfo-ui': '1',
        host,
      });
      expect(malformed.status, host).toBe(421);
    }
    // The user, at the same address, still has every challenge; the studio's own name (--ui-host),
    // a .local name and localhost are answered.
    for (const host of [`render-1.studio.example:${port}`, `papa.local:${port}`, `localhost:${port}`]) {
      const user = await call('127.0.0.8', 'GET', '/api/v1/session/challenge', undefined, {
        'x-vfo-ui': '1',
        host,
      });
      expect(user.status, host).toBe(200);
    }
    const user = await challenge('127.0.0.8');
    const session = await logIn('127.0.0.8', user.json.nonce as string, proofFor(user.json.nonce as string));
    expect(session.status).toBe(204);
    // Found by a review of the fix: the route matched counts, not the URL as written (`%61` is "a").
    const encoded = await call('127.0.0.8', 'GET', '/%61pi/v1/session/challenge', undefined, {
      'x-vfo-ui': '1',
      host: `attacker.example:${port}`,
    });
    expect(encoded.status).toBe(421);
    // The farm's signed status is no UI route: `vfo status` reaches a node by any name (here it is
    // refused for its missing signature, not for the name).
    const signedRoute = await call('127.0.0.8', 'GET', '/api/v1/status', undefined, {
      host: `render-2.studio.example:${port}`,
    });
    expect(signedRoute.status).toBe(401);
    // The page itself is public: only the API is refused.
    const page = await call('127.0.0.8', 'GET', '/', undefined, { host: `attacker.example:${port}` });
    expect(page.status).toBe(200);
  });

  it('a challenge answered from another address is refused', async () => {
    const { json } = await challenge('127.0.0.5');
    const stolen = await logIn('127.0.0.6', json.nonce as string, proofFor(json.nonce as string));
    expect(stolen.status).toBe(401);
  });

  it('sends CSP with frame-ancestors none, nosniff and a referrer policy on the page and the API', async () => {
    const page = await call('127.0.0.1', 'GET', '/');
    expect(page.status).toBe(200);
    const api = await challenge('127.0.0.7');
    for (const reply of [page, api]) {
      expect(reply.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
    }
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
  });
});

describe('calls of the UI API', () => {
  let cookie = '';
  const callApi = (method: string, args: unknown) =>
    call('127.0.0.1', 'POST', `/api/v1/call/${method}`, args, { cookie });

  beforeAll(async () => {
    const { json } = await challenge('127.0.0.8');
    const session = await logIn('127.0.0.8', json.nonce as string, proofFor(json.nonce as string));
    cookie = String(session.headers['set-cookie']).split(';')[0] as string;
  });

  // Found by attacking the Library: a prompt within its limits, written in Japanese, was refused
  // with 413 (1.2 MB as JSON, over a 1 MiB body limit): the UI could not save it.
  it('takes a prompt as long as the Library allows, in any script', async () => {
    const prompt = await callApi('library.prompt', { slug: 'script.writer' });
    const { slug, model, maxTokens, temperature, kbTiers } = prompt.json.value as Record<string, unknown>;
    const long = '日本語のプロンプト'.repeat(22_222).slice(0, 200_000);
    const saved = await callApi('library.savePrompt', {
      ...{ slug, model, maxTokens, temperature, kbTiers, activate: false },
      ...{ systemPrompt: long, userTemplate: `${long.slice(0, 199_000)} {{title}} {{brief}}` },
    });
    expect(saved.status, JSON.stringify(saved.json).slice(0, 300)).toBe(200);
    // A body past the call's limit is still refused before it is read as JSON: 413, or the connection
    // closed under the rest of the body (EPIPE) once the node has answered so.
    const over = await callApi('library.savePrompt', { systemPrompt: 'a'.repeat(MAX_CALL_BODY_BYTES) }).then(
      (reply) => String(reply.status),
      (error: NodeJS.ErrnoException) => String(error.code),
    );
    expect(over).toMatch(/^(413|EPIPE|ECONNRESET)$/);
  });

  it('answers arguments that break the schema with 400 and the field, never SQLite’s text', async () => {
    const get = await callApi('jobs.get', { id: {} });
    expect(get.status).toBe(400);
    expect(get.json).toMatchObject({ ok: false, error: { code: 'invalid', issues: [{ field: 'id' }] } });
    expect(JSON.stringify(get.json)).not.toMatch(/SQLITE|sqlite|SELECT|Error:/);
  });

  it('answers a name set in Settings from then on (ui.hosts), and refuses what is not a host name', async () => {
    const port = new URL(node.url).port;
    const asked = (host: string) =>
      call('127.0.0.9', 'GET', '/api/v1/session/challenge', undefined, {
        'x-vfo-ui': '1',
        host: `${host}:${port}`,
      });
    expect((await asked('ui.studio.example')).status).toBe(421);
    const bad = await callApi('settings.setUiHosts', { hosts: ['ui.studio.example', 'http://x:80'] });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ ok: false, error: { issues: [{ field: 'hosts' }] } });
    const saved = await callApi('settings.setUiHosts', { hosts: ['UI.Studio.Example', 'ui.studio.example'] });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ ok: true, value: { uiHosts: ['ui.studio.example'] } });
    // Read again within a few seconds of the change (a short cache).
    await until(
      async () => (await asked('ui.studio.example')).status === 200,
      10_000,
      'the new name answered',
    );
    expect((await asked('other.studio.example')).status).toBe(421);
    await callApi('settings.setUiHosts', { hosts: [] });
    await until(async () => (await asked('ui.studio.example')).status === 421, 10_000, 'the name removed');
  });

  it('does not pause the node on {paused: "no"}', async () => {
    const paused = await callApi('farm.setPaused', { paused: 'no' });
    expect(paused.status).toBe(400);
    expect(paused.json).toMatchObject({
      ok: false,
      error: { code: 'invalid', issues: [{ field: 'paused' }] },
    });
    const status = await callApi('farm.status', {});
    expect(status.status).toBe(200);
    const self = (status.json.value as { nodes: { id: string; status: string }[] }).nodes.find(
      (n) => n.id === node.id,
    );
    expect(self?.status).toBe('online');
  });

  it('keeps app-only calls off the LAN (403) and unknown ones out (404)', async () => {
    expect((await callApi('settings.setFfmpegPath', { path: '/bin/sh' })).status).toBe(403);
    expect((await callApi('jobs.destroy', {})).status).toBe(404);
  });

  // Found by attacking the UI: there was no logout, so a session on a shared browser lasted 12 hours.
  it('ends a session on logout: the cookie is cleared and no longer accepted', async () => {
    const { json } = await challenge('127.0.0.9');
    const session = await logIn('127.0.0.9', json.nonce as string, proofFor(json.nonce as string));
    const mine = String(session.headers['set-cookie']).split(';')[0] as string;
    const status = () => call('127.0.0.9', 'POST', '/api/v1/call/farm.status', {}, { cookie: mine });
    expect((await status()).status).toBe(200);
    // Without the page's header (a cross-site request) nothing ends.
    expect((await call('127.0.0.9', 'DELETE', '/api/v1/session', undefined, { cookie: mine })).status).toBe(
      401,
    );
    expect((await status()).status).toBe(200);
    const out = await call('127.0.0.9', 'DELETE', '/api/v1/session', undefined, {
      cookie: mine,
      'x-vfo-ui': '1',
    });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^vfo_session=; .*Max-Age=0/);
    expect((await status()).status).toBe(401);
  });
});

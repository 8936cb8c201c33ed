/**
 * Farm calls over HTTPS between a real server and client: a pinned self-signed certificate is
 * accepted, any other certificate is refused before the request is sent, a CA file is trusted with
 * its chain, and an https peer with no way to trust it is refused.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert, testCa } from '../../../../test/support/tls.ts';
import type { FarmApp } from '../../http/index.ts';
import { FarmHttpError } from './errors.ts';
import { makeClient, makeKey, makeTempDir, type RunningServer, startServer } from './net.fixture.ts';
import { certificateFingerprint, parseFingerprint, TlsTrust } from './tls-trust.ts';

const { key } = makeKey();
let dir: string;
let pinnedServer: RunningServer;
let caServer: RunningServer;
let pinnedCert: ReturnType<typeof selfSignedCert>;
let otherCert: ReturnType<typeof selfSignedCert>;
let ca: ReturnType<typeof testCa>;
/** Requests that reached a handler, per server. */
const reached = { pinned: 0, ca: 0 };

const routes = (which: keyof typeof reached) => (app: FarmApp) => {
  app.post('/farm/v1/echo', { config: { auth: 'farm' } }, (request) => {
    reached[which]++;
    return { from: request.caller, body: request.body };
  });
};

beforeAll(async () => {
  dir = await makeTempDir('vfo-tls-');
  pinnedCert = selfSignedCert(dir, 'pinned');
  otherCert = selfSignedCert(dir, 'other');
  ca = testCa(dir);
  const issued = ca.issue('node');
  pinnedServer = await startServer(routes('pinned'), {
    key,
    tls: { cert: pinnedCert.cert, key: pinnedCert.key },
  });
  caServer = await startServer(routes('ca'), { key, tls: { cert: issued.cert, key: issued.key } });
});

afterAll(async () => {
  await pinnedServer?.close();
  await caServer?.close();
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<FarmHttpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FarmHttpError);
  return error as FarmHttpError;
}

describe('farm calls over HTTPS', () => {
  it('serves https and accepts a client that pinned the certificate (learned from a signed payload)', async () => {
    expect(pinnedServer.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const tls = new TlsTrust();
    tls.pin(pinnedServer.url, pinnedServer.id, certificateFingerprint(pinnedCert.cert));
    const client = makeClient(key, { tls });
    try {
      const reply = await client.json<{ body: unknown }>(pinnedServer.peer, 'POST', '/farm/v1/echo', {
        a: 1,
      });
      expect(reply.body).toEqual({ a: 1 });
    } finally {
      client.close();
    }
  });

  it('refuses a certificate that is not the pinned one before sending the request', async () => {
    const before = reached.pinned;
    const tls = new TlsTrust();
    tls.pin(pinnedServer.url, pinnedServer.id, certificateFingerprint(otherCert.cert));
    const client = makeClient(key, { tls });
    try {
      const error = await failure(client.json(pinnedServer.peer, 'POST', '/farm/v1/echo', { secret: 'x' }));
      expect(error.message).toMatch(/not the pinned one/);
      // A pin for another node at the same address does not count for this one either.
      tls.pin(pinnedServer.url, 'someone-else', certificateFingerprint(pinnedCert.cert));
      await failure(client.json(pinnedServer.peer, 'POST', '/farm/v1/echo', {}));
    } finally {
      client.close();
    }
    expect(reached.pinned).toBe(before);
  });

  it('trusts a CA file with its chain, and refuses a self-signed certificate under it', async () => {
    const tls = new TlsTrust({ ca: ca.cert });
    const client = makeClient(key, { tls });
    try {
      const reply = await client.json<{ body: unknown }>(caServer.peer, 'POST', '/farm/v1/echo', [1]);
      expect(reply.body).toEqual([1]);
      const before = reached.pinned;
      await failure(client.json(pinnedServer.peer, 'POST', '/farm/v1/echo', {}));
      expect(reached.pinned).toBe(before);
    } finally {
      client.close();
    }
  });

  it('refuses an https peer it has no way to trust, and a client without TLS trust', async () => {
    const none = makeClient(key, { tls: new TlsTrust() });
    const plain = makeClient(key);
    try {
      expect((await failure(none.json(caServer.peer, 'POST', '/farm/v1/echo', {}))).message).toMatch(
        /--tls-pin|--tls-ca/,
      );
      await failure(plain.json(caServer.peer, 'POST', '/farm/v1/echo', {}));
      await failure(plain.identify(caServer.url));
    } finally {
      none.close();
      plain.close();
    }
  });

  it('keeps at most 4,096 pins learned from tasks (the least recently used go), and every pin it was given', () => {
    const trust = new TlsTrust({ pins: { 'https://given.example:4870': 'a'.repeat(64) } });
    try {
      const fingerprint = (i: number) => i.toString(16).padStart(64, '0');
      for (let i = 0; i < 5000; i++)
        trust.pin(`https://origin-${i}.example:4870`, `node-${i}`, fingerprint(i));
      // The first ones learned were forgotten: with no CA, nothing trusts them now.
      expect(() => trust.agentFor('https://origin-0.example:4870', 'node-0')).toThrow(/--tls-pin|--tls-ca/);
      expect(trust.agentFor('https://origin-4999.example:4870', 'node-4999')).toBeDefined();
      expect(trust.agentFor('https://given.example:4870')).toBeDefined();
    } finally {
      trust.close();
    }
  });

  it('reads fingerprints in the usual spellings', () => {
    const hex = certificateFingerprint(pinnedCert.cert);
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    const colons = hex.toUpperCase().match(/../g)?.join(':') as string;
    expect(parseFingerprint(colons)).toBe(hex);
    expect(parseFingerprint(`sha256/${colons}`)).toBe(hex);
    expect(parseFingerprint('not a fingerprint')).toBeNull();
  });
});

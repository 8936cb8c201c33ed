import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../util/hash.ts';
import { makeKey } from './net.fixture.ts';
import { NonceCache } from './nonce-cache.ts';
import { EMPTY_BODY_SHA256, FARM_HEADER, precheckRequest, signRequest, verifyRequest } from './signing.ts';

const T0 = 1_700_000_000_000;
const { key, text } = makeKey();

function signed(body: string | null = '{"a":1}', now = T0, path = '/farm/v1/hello?x=1') {
  return signRequest(key, { method: 'POST', pathWithQuery: path, body, nodeId: 'node-a', now });
}

function verify(
  headers: Record<string, string>,
  options: { body?: string; now?: number; nonces?: NonceCache } = {},
) {
  return verifyRequest(key, headers, 'POST', '/farm/v1/hello?x=1', sha256Hex(options.body ?? '{"a":1}'), {
    now: options.now ?? T0,
    nonces: options.nonces ?? new NonceCache(),
  });
}

describe('signRequest / verifyRequest', () => {
  it('signs exactly the FARM.md string and verifies the round trip', () => {
    const headers = signed();
    expect(headers[FARM_HEADER.node]).toBe('node-a');
    expect(headers[FARM_HEADER.time]).toBe(String(T0));
    expect(headers[FARM_HEADER.nonce]).toMatch(/^[0-9a-f]{32}$/);
    const canonical = `POST\n/farm/v1/hello?x=1\n${T0}\n${headers[FARM_HEADER.nonce]}\n${sha256Hex('{"a":1}')}`;
    expect(headers[FARM_HEADER.signature]).toBe(createHmac('sha256', text).update(canonical).digest('hex'));
    expect(verify(headers)).toEqual({ ok: true, nodeId: 'node-a' });
    expect(JSON.stringify(headers)).not.toContain(text);
  });

  it('signs a precomputed body hash for streams and sends it', () => {
    const bodySha256 = sha256Hex('video bytes');
    const headers = signRequest(key, {
      method: 'PUT',
      pathWithQuery: '/r',
      bodySha256,
      nodeId: 'n',
      now: T0,
    });
    expect(headers[FARM_HEADER.bodySha256]).toBe(bodySha256);
    const nonces = new NonceCache();
    expect(verifyRequest(key, headers, 'PUT', '/r', bodySha256, { now: T0, nonces }).ok).toBe(true);
  });

  it('uses the hash of the empty string for no body', () => {
    const headers = signed(null);
    const result = verifyRequest(key, headers, 'POST', '/farm/v1/hello?x=1', EMPTY_BODY_SHA256, {
      now: T0,
      nonces: new NonceCache(),
    });
    expect(result.ok).toBe(true);
  });

  it('refuses missing or malformed headers', () => {
    expect(verify({})).toEqual({ ok: false, reason: 'missing' });
    const headers = signed();
    for (const name of Object.values(FARM_HEADER)) {
      if (name === FARM_HEADER.bodySha256) continue;
      const { [name]: _dropped, ...rest } = headers;
      expect(verify(rest)).toEqual({ ok: false, reason: 'missing' });
    }
    expect(verify({ ...headers, [FARM_HEADER.time]: '12e5' })).toEqual({ ok: false, reason: 'missing' });
    expect(verify({ ...headers, [FARM_HEADER.node]: '../x' })).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses a timestamp more than 30 s away either way, accepts one just inside', () => {
    expect(verify(signed(undefined, T0 - 31_000))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(signed(undefined, T0 + 31_000))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(signed(undefined, T0 - 29_000)).ok).toBe(true);
    expect(verify(signed(undefined, T0 + 29_000)).ok).toBe(true);
  });

  it('refuses a tampered body, path, method, time or a different key', () => {
    expect(verify(signed(), { body: '{"a":2}' })).toEqual({ ok: false, reason: 'bad-signature' });
    const otherPath = signed(undefined, T0, '/farm/v1/hello?x=2');
    expect(verify(otherPath)).toEqual({ ok: false, reason: 'bad-signature' });
    const headers = signed();
    const asGet = verifyRequest(key, headers, 'GET', '/farm/v1/hello?x=1', sha256Hex('{"a":1}'), {
      now: T0,
      nonces: new NonceCache(),
    });
    expect(asGet).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify({ ...headers, [FARM_HEADER.time]: String(T0 + 1) })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const stranger = signRequest(makeKey().key, {
      method: 'POST',
      pathWithQuery: '/farm/v1/hello?x=1',
      body: '{"a":1}',
      nodeId: 'node-a',
      now: T0,
    });
    expect(verify(stranger)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a replayed nonce within the window', () => {
    const nonces = new NonceCache();
    const headers = signed();
    expect(verify(headers, { nonces }).ok).toBe(true);
    expect(verify(headers, { nonces, now: T0 + 10_000 })).toEqual({ ok: false, reason: 'replayed' });
    // Past the window the request is stale anyway.
    expect(verify(headers, { nonces, now: T0 + 31_000 })).toEqual({ ok: false, reason: 'stale' });
  });

  it('prechecks presence and time without the body', () => {
    expect(precheckRequest({}, { now: T0 })).toBe('missing');
    expect(precheckRequest(signed(), { now: T0 + 31_000 })).toBe('stale');
    expect(precheckRequest(signed(), { now: T0 })).toBeNull();
  });

  it('does not remember nonces of requests with a bad signature', () => {
    const nonces = new NonceCache();
    verify(signed(), { nonces, body: 'tampered' });
    expect(nonces.size).toBe(0);
  });
});

describe('NonceCache', () => {
  it('forgets nonces once their window has passed', () => {
    const cache = new NonceCache({ sweepEveryMs: 0 });
    for (let i = 0; i < 50; i++) expect(cache.checkAndRemember(`n${i}`, T0, T0, 30_000)).toBe('ok');
    expect(cache.size).toBe(50);
    cache.checkAndRemember('later', T0 + 31_000, T0 + 31_000, 30_000);
    expect(cache.size).toBe(1);
  });

  it('stays under its cap and still refuses every nonce it dropped', () => {
    const cache = new NonceCache({ maxEntries: 100 });
    for (let i = 0; i < 250; i++)
      expect(cache.checkAndRemember(`n${i}`, T0 + i, T0 + 250, 30_000)).toBe('ok');
    expect(cache.size).toBeLessThanOrEqual(100);
    for (let i = 0; i < 250; i++)
      expect(cache.checkAndRemember(`n${i}`, T0 + i, T0 + 250, 30_000)).not.toBe('ok');
    // A fresh request after the floor is still welcome.
    expect(cache.checkAndRemember('fresh', T0 + 251, T0 + 251, 30_000)).toBe('ok');
  });
});

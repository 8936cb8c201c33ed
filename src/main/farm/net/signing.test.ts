import { verify as edVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../util/hash.ts';
import { ephemeralIdentity, nodeIdOf, publicKeyObject } from './identity.ts';
import { makeKey } from './net.fixture.ts';
import { NonceCache } from './nonce-cache.ts';
import {
  canonicalRequest,
  EMPTY_BODY_SHA256,
  FARM_HEADER,
  precheckRequest,
  signReply,
  signRequest,
  verifyReply,
  verifyRequest,
} from './signing.ts';
import { FarmTrust } from './trust.ts';

const T0 = 1_700_000_000_000;
const { key, text } = makeKey();
const trust = new FarmTrust(key);
const sender = ephemeralIdentity(key);
const receiver = ephemeralIdentity(key);
const verifier = { trust, selfId: receiver.id };
const PATH = '/farm/v1/hello?x=1';
const JSON_TYPE = 'application/json';

function signed(body: string | null = '{"a":1}', now = T0, path = PATH, to = receiver.id) {
  return signRequest(sender, { method: 'POST', pathWithQuery: path, contentType: JSON_TYPE, to, body, now });
}

function verify(
  headers: Record<string, string>,
  options: { body?: string; now?: number; nonces?: NonceCache; method?: string; selfId?: string } = {},
) {
  return verifyRequest(
    { trust, selfId: options.selfId ?? receiver.id },
    {
      headers: { ...headers, 'content-type': headers['content-type'] ?? JSON_TYPE },
      method: options.method ?? 'POST',
      pathWithQuery: PATH,
      bodySha256: sha256Hex(options.body ?? '{"a":1}'),
    },
    { now: options.now ?? T0, nonces: options.nonces ?? new NonceCache() },
  );
}

describe('signRequest / verifyRequest', () => {
  it("signs the FARM.md string with the sender's Ed25519 key and verifies the round trip", () => {
    const headers = signed();
    expect(headers[FARM_HEADER.node]).toBe(sender.id);
    expect(headers[FARM_HEADER.to]).toBe(receiver.id);
    expect(headers[FARM_HEADER.time]).toBe(String(T0));
    expect(headers[FARM_HEADER.nonce]).toMatch(/^[0-9a-f]{32}$/);
    // The id is the public key's, and the signature is the public key's over exactly this string.
    expect(nodeIdOf(headers[FARM_HEADER.publicKey] as string)).toBe(sender.id);
    const canonical = canonicalRequest(
      { method: 'POST', pathWithQuery: PATH, contentType: JSON_TYPE, bodySha256: sha256Hex('{"a":1}') },
      { from: sender.id, to: receiver.id, time: String(T0), nonce: headers[FARM_HEADER.nonce] as string },
    );
    expect(canonical.split('\n')).toHaveLength(9);
    const publicKey = publicKeyObject(sender.publicKey);
    expect(publicKey).not.toBeNull();
    const signature = Buffer.from(headers[FARM_HEADER.signature] as string, 'base64url');
    expect(
      edVerify(null, Buffer.from(canonical), publicKey as NonNullable<typeof publicKey>, signature),
    ).toBe(true);
    expect(verify(headers)).toEqual({ ok: true, nodeId: sender.id });
    expect(JSON.stringify(headers)).not.toContain(text);
  });

  it('signs a precomputed body hash for streams and sends it', () => {
    const bodySha256 = sha256Hex('video bytes');
    const headers = signRequest(sender, {
      method: 'PUT',
      pathWithQuery: '/r',
      to: receiver.id,
      bodySha256,
      now: T0,
    });
    expect(headers[FARM_HEADER.bodySha256]).toBe(bodySha256);
    const nonces = new NonceCache();
    const result = verifyRequest(
      verifier,
      { headers, method: 'PUT', pathWithQuery: '/r', bodySha256 },
      { now: T0, nonces },
    );
    expect(result.ok).toBe(true);
  });

  it('uses the hash of the empty string for no body', () => {
    const headers = signRequest(sender, { method: 'GET', pathWithQuery: PATH, to: receiver.id, now: T0 });
    const result = verifyRequest(
      verifier,
      { headers, method: 'GET', pathWithQuery: PATH, bodySha256: EMPTY_BODY_SHA256 },
      { now: T0, nonces: new NonceCache() },
    );
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

  it('refuses a request signed for another node: a capture is worth nothing elsewhere', () => {
    const headers = signed();
    expect(verify(headers, { selfId: ephemeralIdentity(key).id })).toEqual({
      ok: false,
      reason: 'wrong-receiver',
    });
    // Rewriting the receiver to the node it is replayed at breaks the signature.
    const other = ephemeralIdentity(key).id;
    expect(verify({ ...headers, [FARM_HEADER.to]: other }, { selfId: other })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('refuses a tampered body, path, method, time, content type, sender or key', () => {
    expect(verify(signed(), { body: '{"a":2}' })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify(signed(undefined, T0, '/farm/v1/hello?x=2'))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const headers = signed();
    expect(verify(headers, { method: 'GET' })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify({ ...headers, [FARM_HEADER.time]: String(T0 + 1) })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verify({ ...headers, 'content-type': 'text/plain' })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    // Claiming to be another admitted node, with that node's public key and admission: the signature
    // was made with the sender's key, so it does not verify.
    const victim = ephemeralIdentity(key);
    const spoofed = {
      ...headers,
      [FARM_HEADER.node]: victim.id,
      [FARM_HEADER.publicKey]: victim.publicKey,
      [FARM_HEADER.admission]: victim.admission,
    };
    expect(verify(spoofed)).toEqual({ ok: false, reason: 'bad-signature' });
    // The victim's id with the sender's own key: the id is not that key's.
    expect(verify({ ...headers, [FARM_HEADER.node]: victim.id })).toEqual({
      ok: false,
      reason: 'not-admitted',
    });
  });

  it('refuses an identity the farm key did not admit', () => {
    const stranger = ephemeralIdentity(makeKey().key);
    const headers = signRequest(stranger, {
      method: 'POST',
      pathWithQuery: PATH,
      contentType: JSON_TYPE,
      to: receiver.id,
      body: '{"a":1}',
      now: T0,
    });
    expect(verify(headers)).toEqual({ ok: false, reason: 'not-admitted' });
    // Its own key pair with an admission copied from a member does not pass either.
    expect(verify({ ...headers, [FARM_HEADER.admission]: sender.admission })).toEqual({
      ok: false,
      reason: 'not-admitted',
    });
  });

  it('refuses a replayed nonce within the window', () => {
    const nonces = new NonceCache();
    const headers = signed();
    expect(verify(headers, { nonces }).ok).toBe(true);
    expect(verify(headers, { nonces, now: T0 + 10_000 })).toEqual({ ok: false, reason: 'replayed' });
    // Past the window the request is stale anyway.
    expect(verify(headers, { nonces, now: T0 + 31_000 })).toEqual({ ok: false, reason: 'stale' });
  });

  it('prechecks presence, time, receiver and admission without the body', () => {
    expect(precheckRequest(verifier, {}, { now: T0 })).toBe('missing');
    expect(precheckRequest(verifier, signed(), { now: T0 + 31_000 })).toBe('stale');
    expect(precheckRequest({ trust, selfId: sender.id }, signed(), { now: T0 })).toBe('wrong-receiver');
    expect(precheckRequest(verifier, signed(), { now: T0 })).toBeNull();
  });

  it('does not remember nonces of requests with a bad signature', () => {
    const nonces = new NonceCache();
    verify(signed(), { nonces, body: 'tampered' });
    expect(nonces.size).toBe(0);
  });
});

describe('signReply / verifyReply', () => {
  const fields = {
    status: 200,
    contentType: 'application/json; charset=utf-8',
    bodySha256: sha256Hex('{"ok":true}'),
    requestNonce: 'a'.repeat(32),
    requester: sender.id,
  };

  it('accepts the reply of the node addressed, for that request only', () => {
    const headers = signReply(receiver, fields);
    expect(verifyReply(trust, receiver.id, headers, fields)).toBe(true);
    for (const changed of [
      { status: 409 },
      { contentType: 'text/plain' },
      { bodySha256: sha256Hex('{"ok":false}') },
      { requestNonce: 'b'.repeat(32) },
      { requester: receiver.id },
    ]) {
      expect(verifyReply(trust, receiver.id, headers, { ...fields, ...changed })).toBe(false);
    }
  });

  it('refuses a reply from another node than the one addressed, or from outside the farm', () => {
    expect(verifyReply(trust, sender.id, signReply(receiver, fields), fields)).toBe(false);
    const outsider = ephemeralIdentity(makeKey().key);
    expect(verifyReply(trust, outsider.id, signReply(outsider, fields), fields)).toBe(false);
    expect(verifyReply(trust, receiver.id, {}, fields)).toBe(false);
  });
});

describe('NonceCache', () => {
  it('forgets nonces once their window has passed', () => {
    const cache = new NonceCache();
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

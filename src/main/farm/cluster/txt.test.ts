import { describe, expect, it } from 'vitest';
import type { ReceivedService } from './txt.ts';
import { encodeTxt, instanceName, parseService, peerUrl, uniqueHostName } from './txt.ts';
import type { NodeAdvert } from './types.ts';

const FARM = '0123456789abcdef';
const ADVERT: NodeAdvert = {
  id: 'node-7f3a9c21',
  name: 'studio-mac',
  farm: FARM,
  role: 'candidate',
  term: 4,
  proto: 1,
  port: 4100,
  encoders: ['h264_videotoolbox', 'libx264'],
  cores: 10,
  slots: 2,
};

function received(txt: unknown, instance = 'studio-mac-node-7f3'): ReceivedService {
  return { instance, address: '127.0.0.1', txt };
}

function reasonFor(overrides: Record<string, unknown>): string | undefined {
  const parsed = parseService(received({ ...encodeTxt(ADVERT), ...overrides }), { farm: FARM });
  return parsed.kind === 'ignored'
    ? `${parsed.ignored.reason}${parsed.ignored.detail ? `:${parsed.ignored.detail}` : ''}`
    : undefined;
}

describe('TXT records', () => {
  it('round-trips an advert into a peer with its URL and name', () => {
    const parsed = parseService(received(encodeTxt(ADVERT), instanceName(ADVERT.name, ADVERT.id)), {
      farm: FARM,
    });
    expect(parsed).toEqual({
      kind: 'peer',
      peer: {
        ...ADVERT,
        instance: 'studio-mac-node-7f3',
        address: '127.0.0.1',
        url: 'http://127.0.0.1:4100',
      },
    });
  });

  it('carries exactly the FARM.md fields, as strings', () => {
    expect(encodeTxt(ADVERT)).toEqual({
      id: 'node-7f3a9c21',
      farm: FARM,
      role: 'candidate',
      term: '4',
      proto: '1',
      port: '4100',
      enc: 'h264_videotoolbox,libx264',
      cores: '10',
      slots: '2',
    });
  });

  it('ignores other farms and other protocols with a visible reason', () => {
    expect(reasonFor({ farm: 'fedcba9876543210' })).toBe('other farm');
    expect(reasonFor({ proto: '2' })).toBe('protocol 2');
    // A future protocol may lay out its TXT differently: it is "protocol N", not "malformed".
    expect(reasonFor({ proto: '3', port: 'x', farm: 'zz' })).toBe('protocol 3');
    expect(reasonFor({ farm: 'fedcba9876543210', port: '0' })).toBe('other farm');
  });

  it('carries the app version, and reads who a node of this farm but another protocol is, as far as it can', () => {
    const versioned = { ...ADVERT, version: '1.4.0-beta.2' };
    expect(encodeTxt(versioned).ver).toBe('1.4.0-beta.2');
    const parsed = parseService(received(encodeTxt(versioned), 'studio-mac-node-7f3'), { farm: FARM });
    expect(parsed.kind === 'peer' && parsed.peer.version).toBe('1.4.0-beta.2');
    // Another protocol, this farm: an incompatible node with its id, version and URL.
    const newer = parseService(received({ ...encodeTxt(versioned), proto: '2' }), { farm: FARM });
    expect(newer).toMatchObject({
      kind: 'ignored',
      ignored: {
        reason: 'protocol 2',
        incompatible: {
          id: 'node-7f3a9c21',
          protocol: 2,
          version: '1.4.0-beta.2',
          url: 'http://127.0.0.1:4100',
        },
      },
    });
    // What it does not say (or says badly) stays unknown; another farm stays anonymous.
    const sparse = parseService(received({ proto: '3', farm: FARM, id: 'node-1', port: 'x', ver: '<b>' }), {
      farm: FARM,
    });
    expect(sparse).toMatchObject({
      ignored: { incompatible: { id: 'node-1', protocol: 3, version: null, url: null } },
    });
    const foreign = parseService(received({ ...encodeTxt(ADVERT), proto: '2', farm: 'fedcba9876543210' }), {
      farm: FARM,
    });
    expect(foreign.kind === 'ignored' && foreign.ignored.incompatible).toBeUndefined();
  });

  it.each([
    [{ id: '../etc' }, 'malformed:id'],
    [{ id: 'x'.repeat(65) }, 'malformed:id'],
    [{ farm: 'ABCDEF0123456789' }, 'malformed:farm'],
    [{ role: 'king' }, 'malformed:role'],
    [{ term: '-1' }, 'malformed:term'],
    [{ term: '1.5' }, 'malformed:term'],
    [{ term: '0x10' }, 'malformed:term'],
    [{ term: '01' }, 'malformed:term'],
    [{ port: '0' }, 'malformed:port'],
    [{ port: '65536' }, 'malformed:port'],
    [{ proto: undefined }, 'malformed:proto'],
    [{ enc: 'libx264,rm -rf' }, 'malformed:enc'],
    [{ enc: Array.from({ length: 17 }, (_, i) => `e${i}`).join(',') }, 'malformed:enc'],
    [{ cores: '0' }, 'malformed:cores'],
    [{ slots: '99999' }, 'malformed:slots'],
    [{ note: 'y'.repeat(300) }, 'malformed:note'],
  ])('rejects %j as %s', (overrides, reason) => {
    expect(reasonFor(overrides)).toBe(reason);
  });

  it('rejects a missing, non-object or oversized TXT', () => {
    const extra = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'v']));
    for (const txt of [undefined, null, 'id=x', [], { ...encodeTxt(ADVERT), ...extra }]) {
      const parsed = parseService(received(txt), { farm: FARM });
      expect(parsed.kind === 'ignored' && parsed.ignored.reason).toBe('malformed');
    }
  });

  it('keeps the instance name within one DNS label and unique per node', () => {
    expect(instanceName('studio.mac', 'abcdef123456')).toBe('studio-mac-abcdef12');
    const long = instanceName('é'.repeat(80), 'abcdef123456');
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long.endsWith('-abcdef12')).toBe(true);
    expect(uniqueHostName('Studio Mac', 'abcdef123456')).toBe('studio-mac-abcdef12.local');
    expect(uniqueHostName('Studio Mac', 'abcdef99')).not.toBe(uniqueHostName('Studio Mac', 'abcdef12'));
  });

  it('builds URLs for IPv4 and IPv6 addresses', () => {
    expect(peerUrl('127.0.0.1', 4100)).toBe('http://127.0.0.1:4100');
    expect(peerUrl('fe80::1%en0', 4100)).toBe('http://[fe80::1%25en0]:4100');
    expect(new URL(peerUrl('::1', 80)).hostname).toBe('[::1]');
  });
});

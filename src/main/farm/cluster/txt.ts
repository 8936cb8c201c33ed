/**
 * The `_vfo._tcp` TXT record: encoding this node's advert, and strict parsing of what arrives from the
 * network. Anything on the LAN can publish `_vfo._tcp`, so every field is bounded and pattern-checked
 * before a peer is believed; a bad record is reported with a reason instead of half-trusted.
 */

import type { IgnoredService, NodeAdvert, PeerAdvert } from './types.ts';
import { MAX_TERM, PROTOCOL_VERSION } from './types.ts';

export const NODE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const FARM_ID_PATTERN = /^[0-9a-f]{16}$/;
const ENCODER_PATTERN = /^[a-z0-9_]{1,32}$/;
const INTEGER_PATTERN = /^(0|[1-9][0-9]{0,8})$/;
const ROLES = new Set(['coordinator', 'candidate', 'worker']);
const MAX_KEYS = 32;
// A DNS TXT string holds at most 255 bytes, key and '=' included.
const MAX_ENTRY_BYTES = 255;
const MAX_ENCODERS = 16;
const MAX_LABEL_BYTES = 63;
const SHORT_ID_LENGTH = 8;

export type TxtRecord = Record<string, string>;

const VERSION_PATTERN = /^[0-9A-Za-z.+_-]{1,64}$/;

export function encodeTxt(advert: NodeAdvert): TxtRecord {
  return {
    ...(advert.version ? { ver: advert.version } : {}),
    id: advert.id,
    farm: advert.farm,
    role: advert.role,
    term: String(advert.term),
    proto: String(advert.proto),
    port: String(advert.port),
    enc: advert.encoders.join(','),
    cores: String(advert.cores),
    slots: String(advert.slots),
  };
}

/** Instance name = node name + short id, within one 63-byte DNS label (bonjour turns dots into dashes). */
export function instanceName(name: string, id: string): string {
  const suffix = `-${id.slice(0, SHORT_ID_LENGTH)}`;
  let base = '';
  for (const char of name.replace(/\./g, '-')) {
    if (Buffer.byteLength(base + char + suffix) > MAX_LABEL_BYTES) break;
    base += char;
  }
  return `${base || 'vfo'}${suffix}`;
}

/** A host name no other node uses, so A records of two nodes never collide. */
export function uniqueHostName(name: string, id: string): string {
  const label = instanceName(name, id)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '');
  return `${label}.local`;
}

function nameFromInstance(instance: string, id: string): string {
  const suffix = `-${id.slice(0, SHORT_ID_LENGTH)}`;
  return instance.endsWith(suffix) && instance.length > suffix.length
    ? instance.slice(0, -suffix.length)
    : instance;
}

export function peerUrl(address: string, port: number): string {
  // IPv6 needs brackets, and a zone index (`fe80::1%en0`) must be percent-encoded inside them.
  const host = address.includes(':') ? `[${address.replace('%', '%25')}]` : address;
  return `http://${host}:${port}`;
}

export interface ReceivedService {
  instance: string;
  address: string;
  txt: unknown;
}

export interface ParseExpectation {
  farm: string;
  proto?: number;
}

export type ParsedService = { kind: 'peer'; peer: PeerAdvert } | { kind: 'ignored'; ignored: IgnoredService };

class MalformedField extends Error {}

function integer(txt: TxtRecord, key: string, min: number, max: number): number {
  const raw = txt[key];
  if (raw === undefined || !INTEGER_PATTERN.test(raw)) throw new MalformedField(key);
  const value = Number(raw);
  if (value < min || value > max) throw new MalformedField(key);
  return value;
}

function matching(txt: TxtRecord, key: string, pattern: RegExp): string {
  const raw = txt[key];
  if (raw === undefined || !pattern.test(raw)) throw new MalformedField(key);
  return raw;
}

function encoders(txt: TxtRecord): string[] {
  const list = (txt.enc ?? '').split(',');
  if (list.length > MAX_ENCODERS || !list.every((e) => ENCODER_PATTERN.test(e)))
    throw new MalformedField('enc');
  return list;
}

/** Only plain string values, few keys, each entry within one TXT string. */
function boundedRecord(txt: unknown): TxtRecord {
  if (!txt || typeof txt !== 'object' || Array.isArray(txt)) throw new MalformedField('txt');
  const entries = Object.entries(txt as Record<string, unknown>);
  if (entries.length > MAX_KEYS) throw new MalformedField('txt');
  const record: TxtRecord = {};
  for (const [key, value] of entries) {
    if (typeof value !== 'string') continue;
    if (Buffer.byteLength(`${key}=${value}`) > MAX_ENTRY_BYTES) throw new MalformedField(key);
    record[key] = value;
  }
  return record;
}

/**
 * Protocol is checked first (a future protocol may shape its TXT differently), then the farm, then every
 * other field: a node of another farm is "other farm" even if the rest of its record would not parse.
 */
export function parseService(service: ReceivedService, expect: ParseExpectation): ParsedService {
  const ignore = (
    reason: IgnoredService['reason'],
    detail?: string,
    incompatible?: IgnoredService['incompatible'],
  ): ParsedService => ({
    kind: 'ignored',
    ignored: {
      instance: service.instance,
      address: service.address,
      reason,
      ...(detail ? { detail } : {}),
      ...(incompatible ? { incompatible } : {}),
    },
  });
  try {
    const txt = boundedRecord(service.txt);
    const proto = integer(txt, 'proto', 0, 9999);
    if (proto !== (expect.proto ?? PROTOCOL_VERSION))
      return ignore(`protocol ${proto}`, undefined, incompatiblePeer(txt, service, proto, expect.farm));
    if (matching(txt, 'farm', FARM_ID_PATTERN) !== expect.farm) return ignore('other farm');
    const role = txt.role;
    if (role === undefined || !ROLES.has(role)) throw new MalformedField('role');
    const id = matching(txt, 'id', NODE_ID_PATTERN);
    const port = integer(txt, 'port', 1, 65535);
    const peer: PeerAdvert = {
      id,
      name: nameFromInstance(service.instance, id),
      farm: expect.farm,
      role: role as PeerAdvert['role'],
      term: integer(txt, 'term', 0, MAX_TERM),
      proto,
      port,
      encoders: encoders(txt),
      cores: integer(txt, 'cores', 1, 4096),
      slots: integer(txt, 'slots', 0, 4096),
      ...(txt.ver !== undefined && VERSION_PATTERN.test(txt.ver) ? { version: txt.ver } : {}),
      instance: service.instance,
      address: service.address,
      url: peerUrl(service.address, port),
    };
    return { kind: 'peer', peer };
  } catch (error) {
    if (error instanceof MalformedField) return ignore('malformed', error.message);
    throw error;
  }
}

/**
 * A node of this farm speaking another protocol: who it is, read as far as its record allows (a future
 * protocol may lay out its TXT differently, so every field is optional and nothing else is believed).
 * A record of another farm, or without a readable farm and id, stays an anonymous ignored service.
 */
function incompatiblePeer(
  txt: TxtRecord,
  service: ReceivedService,
  protocol: number,
  farm: string,
): IgnoredService['incompatible'] {
  if (txt.farm !== farm || txt.id === undefined || !NODE_ID_PATTERN.test(txt.id)) return undefined;
  const port = txt.port !== undefined && INTEGER_PATTERN.test(txt.port) ? Number(txt.port) : 0;
  return {
    id: txt.id,
    protocol,
    version: txt.ver !== undefined && VERSION_PATTERN.test(txt.ver) ? txt.ver : null,
    url: port >= 1 && port <= 65535 ? peerUrl(service.address, port) : null,
  };
}

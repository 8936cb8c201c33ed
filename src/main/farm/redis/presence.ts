/**
 * Which nodes are in the farm right now, in Redis mode (no mDNS, no hellos): every node refreshes a
 * small record every second that expires after 5 s of silence. Origins route tasks by it (an encoder
 * some live worker has), split videos by the free slots it lists, status shows it, and an operator's
 * pause of another node goes to the URL it names. So each record is signed by its node's admitted key
 * for this farm, like a task (task-envelope.ts): anyone who can write to Redis can delete records, not
 * forge one, edit one (a node's id pointed at another URL took that node's signed pause), or bring an
 * old one back past its expiry.
 */
import { z } from 'zod';
import { createLogger } from '../../log/logger.ts';
import { jsonOrNull } from '../../util/json-or-null.ts';
import type { NodeIdentity } from '../net/identity.ts';
import type { FarmTrust } from '../net/trust.ts';
import { NODE_ID_PATTERN } from '../queue/index.ts';
import type { FarmKeys } from './farm-keys.ts';
import type { RedisLink } from './redis-link.ts';
import { MAX_CLOCK_SKEW_MS, taskJobDataSchema } from './task-envelope.ts';
import { REDIS_TUNING } from './tuning.ts';

const log = createLogger('RedisPresence');

export const presenceSchema = z.object({
  id: z.string().regex(NODE_ID_PATTERN),
  name: z.string().max(200),
  url: z.string().max(2048),
  role: z.enum(['auto', 'worker']),
  encoders: z.array(z.string().max(64)).max(32),
  cores: z.number().int().nonnegative(),
  /** Free encode slots now. */
  slots: z.number().int().nonnegative(),
  running: z.number().int().nonnegative(),
  status: z.enum(['online', 'paused', 'draining', 'yielding']),
  /** Why it takes no work now (yielding), or null. */
  reason: z.string().max(500).nullable(),
  /** The app's version and farm protocol (status only: Redis mode routes by signed tasks). */
  version: z.string().max(64),
  protocol: z.number().int(),
  /** When it was written (ms since the epoch). */
  time: z.number(),
});
export type PresenceRecord = z.infer<typeof presenceSchema>;

/** What sits under a node's key: the record as the exact text that was signed, and who signed it. */
const signedPresenceSchema = z.strictObject({
  record: z.string().max(8192),
  signer: taskJobDataSchema.shape.signer,
  signature: taskJobDataSchema.shape.signature,
});

const signedText = (farmId: string, record: string) => `vfo-redis-presence-v1\n${farmId}\n${record}`;

/** A record older than this is a replay: its node refreshes it every second and it expires in 5 s. */
const MAX_RECORD_AGE_MS = REDIS_TUNING.presenceTtlMs + MAX_CLOCK_SKEW_MS;

export interface PresenceOptions {
  link: RedisLink;
  keys: FarmKeys;
  farmId: string;
  /** This node: its records are signed as it. */
  identity: NodeIdentity;
  trust: FarmTrust;
}

export class Presence {
  private readonly link: RedisLink;
  private readonly keys: FarmKeys;
  private readonly options: PresenceOptions;
  private last: PresenceRecord[] = [];

  constructor(options: PresenceOptions) {
    this.options = options;
    this.link = options.link;
    this.keys = options.keys;
  }

  /** Publishes this node's record (its id and time are this node's and now). */
  async publish(record: Omit<PresenceRecord, 'id' | 'time'>): Promise<void> {
    if (!this.link.available) return;
    const { identity, farmId } = this.options;
    const text = JSON.stringify({ ...record, id: identity.id, time: Date.now() });
    const value = JSON.stringify({
      record: text,
      signer: { id: identity.id, publicKey: identity.publicKey, admission: identity.admission },
      signature: identity.sign(signedText(farmId, text)),
    });
    await this.link.client
      .multi()
      .set(this.keys.nodeKey(identity.id), value, 'PX', REDIS_TUNING.presenceTtlMs)
      .sadd(this.keys.nodes, identity.id)
      .exec();
  }

  /**
   * The record stored under `nodeId`'s key if that node signed it for this farm lately; 'stale' if it
   * did, but its time is too far from ours (clocks may disagree: not a reason to drop it from the set);
   * else null.
   */
  private verified(nodeId: string, value: string | null, now: number): PresenceRecord | 'stale' | null {
    const signed = value ? signedPresenceSchema.safeParse(jsonOrNull(value)) : null;
    if (!signed?.success) return null;
    const { record: text, signer, signature } = signed.data;
    if (signer.id !== nodeId) return null;
    if (!this.options.trust.verifies(signer, signedText(this.options.farmId, text), signature)) return null;
    const record = presenceSchema.safeParse(jsonOrNull(text));
    if (!record.success || record.data.id !== nodeId) return null;
    const age = now - record.data.time;
    return age <= MAX_RECORD_AGE_MS && age >= -MAX_CLOCK_SKEW_MS ? record.data : 'stale';
  }

  /** Every node whose record has not expired; the last answer while Redis cannot be reached. */
  async read(): Promise<PresenceRecord[]> {
    if (!this.link.available) return this.last;
    // Members that cannot be node ids are removed in Redis, never read here.
    const ids = (await this.link.client.eval(
      NODE_IDS_SCRIPT,
      1,
      this.keys.nodes,
      MAX_NODE_ID_CHARS,
    )) as string[];
    if (ids.length === 0) {
      this.last = [];
      return this.last;
    }
    const records: PresenceRecord[] = [];
    const gone: string[] = [];
    // In slices: anyone who can write to Redis can fill the set (130,000 members overflowed the stack
    // of one call's arguments, and the junk was never cleared).
    for (const slice of slices(ids, SLICE)) {
      const keys = slice.map((id) => this.keys.nodeKey(id));
      const values = (await this.link.client.eval(
        BOUNDED_GET_SCRIPT,
        keys.length,
        ...keys,
        MAX_RECORD_CHARS,
      )) as (string | null)[];
      const now = Date.now();
      values.forEach((value, i) => {
        const id = slice[i] as string;
        // A record counts only under its own node's key, signed by that node.
        const record = this.verified(id, value, now);
        if (record === null) gone.push(id);
        else if (record !== 'stale') records.push(record);
      });
    }
    for (const slice of slices(gone, SLICE)) {
      await this.link.client.srem(this.keys.nodes, ...slice).catch(() => undefined);
    }
    this.last = records;
    return records;
  }

  /** The last records read (for decisions that cannot wait on Redis, e.g. routing a task). */
  cached(): PresenceRecord[] {
    return this.last;
  }

  async remove(nodeId: string): Promise<void> {
    if (!this.link.available) return;
    await this.link.client
      .multi()
      .del(this.keys.nodeKey(nodeId))
      .srem(this.keys.nodes, nodeId)
      .exec()
      .catch((error: unknown) => log.debug('could not remove presence', { error: String(error) }));
  }
}

const SLICE = 1000;
/** A node id is at most 64 characters (NODE_ID_PATTERN); a signed record is well under 4 KiB. */
const MAX_NODE_ID_CHARS = 64;
const MAX_RECORD_CHARS = 16 * 1024;

/*
 * Anyone who can write to Redis can make a value as large as Redis allows (512 MB): read whole, one
 * such record took a core and a gigabyte on every node, and the read failed before the junk was
 * removed, so the node list froze (a dead node stayed "online"). These scripts look at sizes inside
 * Redis and send only what can be a node id or a record.
 */
/** KEYS[1]: the node set. The members that can be node ids; the others are removed. */
const NODE_IDS_SCRIPT = `
local ids = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if #id <= tonumber(ARGV[1]) then ids[#ids + 1] = id else redis.call('SREM', KEYS[1], id) end
end
return ids`;
/** KEYS: record keys. Each string value of at most ARGV[1] bytes; nil for anything else. */
const BOUNDED_GET_SCRIPT = `
local values = {}
for i, key in ipairs(KEYS) do
  local size = redis.pcall('STRLEN', key)
  if type(size) == 'number' and size > 0 and size <= tonumber(ARGV[1]) then
    values[i] = redis.call('GET', key)
  else
    values[i] = false
  end
end
return values`;

function slices<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

/**
 * The queue a task goes to: the first of the plan's encoders (in order of preference) that a live
 * node has, else the first one (it waits there until such a worker joins).
 */
export function routeTask(encoders: string[], live: PresenceRecord[], fallback = 'libx264'): string {
  const available = new Set(live.flatMap((node) => node.encoders));
  return encoders.find((encoder) => available.has(encoder)) ?? encoders[0] ?? fallback;
}

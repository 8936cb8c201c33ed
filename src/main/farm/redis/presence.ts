/**
 * Which nodes are in the farm right now, in Redis mode (no mDNS, no hellos): every node refreshes a
 * small record every second that expires after 5 s of silence. Origins route tasks by it (an encoder
 * some live worker has), split videos by the free slots it lists, and status shows it. It decides no
 * one's rights (signatures do): a forged record can at worst send tasks to a queue no one serves.
 */
import { z } from 'zod';
import { createLogger } from '../../log/logger.ts';
import { NODE_ID_PATTERN } from '../queue/index.ts';
import type { FarmKeys } from './farm-keys.ts';
import type { RedisLink } from './redis-link.ts';
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

export class Presence {
  private readonly link: RedisLink;
  private readonly keys: FarmKeys;
  private last: PresenceRecord[] = [];

  constructor(link: RedisLink, keys: FarmKeys) {
    this.link = link;
    this.keys = keys;
  }

  async publish(record: PresenceRecord): Promise<void> {
    if (!this.link.available) return;
    await this.link.client
      .multi()
      .set(this.keys.nodeKey(record.id), JSON.stringify(record), 'PX', REDIS_TUNING.presenceTtlMs)
      .sadd(this.keys.nodes, record.id)
      .exec();
  }

  /** Every node whose record has not expired; the last answer while Redis cannot be reached. */
  async read(): Promise<PresenceRecord[]> {
    if (!this.link.available) return this.last;
    const ids = await this.link.client.smembers(this.keys.nodes);
    if (ids.length === 0) {
      this.last = [];
      return this.last;
    }
    const records: PresenceRecord[] = [];
    const gone: string[] = [];
    // In slices: anyone who can write to Redis can fill the set (130,000 members overflowed the stack
    // of one call's arguments, and the junk was never cleared).
    for (const slice of slices(ids, SLICE)) {
      const values = await this.link.client.mget(slice.map((id) => this.keys.nodeKey(id)));
      values.forEach((value, i) => {
        const parsed = value ? presenceSchema.safeParse(safeJson(value)) : null;
        // A record counts only under its own node's key.
        if (parsed?.success && parsed.data.id === slice[i]) records.push(parsed.data);
        else gone.push(slice[i] as string);
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

function slices<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The queue a task goes to: the first of the plan's encoders (in order of preference) that a live
 * node has, else the first one (it waits there until such a worker joins).
 */
export function routeTask(encoders: string[], live: PresenceRecord[], fallback = 'libx264'): string {
  const available = new Set(live.flatMap((node) => node.encoders));
  return encoders.find((encoder) => available.has(encoder)) ?? encoders[0] ?? fallback;
}

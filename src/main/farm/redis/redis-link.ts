/**
 * The node's connections to Redis (ioredis, which BullMQ drives). One link per node: every Queue,
 * Worker and QueueEvents gets its own connection from it (blocking reads must not share one), all of
 * them reconnect by themselves, and the link says whether Redis can be reached right now so that new
 * submissions can be refused with a clear message instead of hanging. The URL's password never reaches
 * a log: lines name the Redis by host and port only.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { createLogger } from '../../log/logger.ts';
import { carriesPassword } from '../../util/url-password.ts';

const log = createLogger('RedisLink');

/** What Redis answers to a wrong password or user, or to commands before one. */
const AUTH_REFUSED = /WRONGPASS|NOAUTH|invalid password|invalid username-password/i;

/** Reconnect within half a second of Redis coming back (BullMQ's default waits ~1 s or more). */
const RECONNECT_MS = { first: 50, max: 500 };

export interface RedisTarget {
  url: string;
  secure: boolean;
  /** host:port, for log lines and messages (no credentials). */
  display: string;
}

export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

/** redis://[user:password@]host[:port][/db] or rediss://… (TLS); anything else is refused. */
export function parseRedisUrl(text: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RedisUrlError(`--redis must be a URL like redis://host:6379 or rediss://host:6380`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new RedisUrlError(`--redis must start with redis:// or rediss:// (not ${url.protocol}//)`);
  if (!url.hostname) throw new RedisUrlError('--redis has no host');
  if (carriesPassword(url))
    throw new RedisUrlError(
      "--redis must not carry Redis's password (every account sees a command's arguments): set VFO_REDIS_PASSWORD",
    );
  const port = url.port || '6379';
  return { url: text, secure: url.protocol === 'rediss:', display: `${url.hostname}:${port}` };
}

export interface RedisLinkOptions {
  target: RedisTarget;
  /** PEM CA certificates for rediss:// (else the system's CAs). */
  ca?: string | Buffer | undefined;
  /** A password kept out of the URL (the environment, the Keychain). */
  password?: string | undefined;
}

export class RedisLink {
  readonly target: RedisTarget;
  private readonly options: RedisOptions;
  private readonly connections = new Set<Redis>();
  private readonly main: Redis;
  private down = false;
  private closed = false;
  /** Set when Redis refused the credentials: no reconnect will change that. */
  private refusal: string | null = null;

  constructor(options: RedisLinkOptions) {
    this.target = options.target;
    this.options = {
      // BullMQ's blocking connections require it; commands wait for a reconnect instead of failing.
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(RECONNECT_MS.first * 2 ** Math.min(times - 1, 5), RECONNECT_MS.max),
      ...(options.password ? { password: options.password } : {}),
      ...(options.target.secure ? { tls: { ...(options.ca ? { ca: options.ca } : {}) } } : {}),
    };
    // The shared connection opens with connect(), when the node starts; the others as they are made.
    this.main = this.connection('main', { lazyConnect: true });
    this.main.on('error', (error: Error) => {
      if (this.refusal || !AUTH_REFUSED.test(error.message)) return;
      this.refusal = `Redis at ${this.target.display} refused the password (VFO_REDIS_PASSWORD)`;
      log.error('redis refused the password', { redis: this.target.display });
    });
    this.main.on('ready', () => {
      if (this.down) log.info('redis reachable again', { redis: this.target.display });
      this.down = false;
    });
    this.main.on('close', () => {
      if (!this.down && !this.closed)
        log.warn('redis unreachable; reconnecting', { redis: this.target.display });
      this.down = true;
    });
  }

  /** Opens the shared connection (it then reconnects by itself whenever Redis goes away). */
  connect(): void {
    this.main
      .connect()
      .catch((error: unknown) =>
        log.warn('redis unreachable; retrying', { redis: this.target.display, error: String(error) }),
      );
  }

  /** A connection of its own (BullMQ takes it and duplicates it for blocking reads). */
  connection(purpose: string, extra: RedisOptions = {}): Redis {
    const redis = new Redis(this.target.url, { ...this.options, ...extra });
    // ioredis prints unhandled errors to the console: they are the reconnect's business here.
    redis.on('error', (error: Error) =>
      log.debug('redis connection error', { redis: this.target.display, purpose, error: error.message }),
    );
    this.connections.add(redis);
    return redis;
  }

  /** The shared connection for plain commands (counts, presence, locks). */
  get client(): Redis {
    return this.main;
  }

  /** Whether Redis answers right now. */
  get available(): boolean {
    return this.main.status === 'ready';
  }

  /**
   * Waits up to `timeoutMs` for Redis to answer, and says how it went: a refused password is known at
   * once (a node with a wrong one started and only ever logged reconnects), Redis away is `timeout`.
   */
  async settle(timeoutMs: number): Promise<'ready' | 'refused' | 'timeout'> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.refusal) return 'refused';
      if (this.available) return 'ready';
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.refusal ? 'refused' : this.available ? 'ready' : 'timeout';
  }

  /** Why Redis will not take this node (a refused password), or null. */
  get refused(): string | null {
    return this.refusal;
  }

  /** Runs a command, but gives up after `timeoutMs` instead of waiting for a reconnect for ever. */
  async within<T>(timeoutMs: number, what: string, run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`redis at ${this.target.display} did not answer (${what})`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([run(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.closed = true;
    for (const redis of this.connections) redis.disconnect();
    this.connections.clear();
  }
}
